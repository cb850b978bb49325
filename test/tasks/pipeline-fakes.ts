/** In-memory ports for the pipeline handler tests: real behaviour of the port contract, no disk, no AWS. */
import { DimensionMismatchError, NotFoundError, ValidationError } from '../../core/errors';
import type { EmbedImagesResult, Embedder, ImageInput } from '../../core/ports/embedder';
import type { GenerationPublisher, PublishedGeneration } from '../../core/ports/generation-publisher';
import type { GenerationInfo, IndexRecord, SearchHit, UpsertResult, VectorIndex } from '../../core/ports/vector-index';

/** Embeds an image as a unit vector derived from its bytes; images whose bytes start with "BAD" are skipped. */
export class ByteEmbedder implements Embedder {
  readonly modelVersion = 'byte-embedder/1';
  constructor(readonly dimension: number) {}

  async embedImages(images: readonly ImageInput[]): Promise<EmbedImagesResult> {
    const result: { embedded: { id: string; vector: Float32Array }[]; skipped: { id: string; reason: string }[] } = { embedded: [], skipped: [] };
    for (const image of images) {
      if (new TextDecoder().decode(image.bytes.slice(0, 3)) === 'BAD') {
        result.skipped.push({ id: image.id, reason: 'cannot decode image' });
        continue;
      }
      const vector = new Float32Array(this.dimension);
      image.bytes.forEach((byte, i) => { vector[i % this.dimension] = (vector[i % this.dimension] ?? 0) + byte; });
      const norm = Math.hypot(...vector) || 1;
      result.embedded.push({ id: image.id, vector: vector.map((v) => v / norm) });
    }
    return result;
  }

  async embedText(): Promise<Float32Array[]> {
    throw new Error('not used by the pipeline');
  }
}

interface StoredGeneration {
  readonly dimension: number;
  readonly records: Map<string, IndexRecord>;
  complete: boolean;
}

export class MemoryVectorIndex implements VectorIndex {
  readonly generations = new Map<string, StoredGeneration>();
  readonly aliases = new Map<string, string>();
  /** Ids that upsert reports as failed, to test the count checks. */
  failIds = new Set<string>();
  /** Records finalize "loses", to test the count check after refresh. */
  loseOnFinalize = 0;

  async createGeneration(generation: string, options: { readonly dimension: number }): Promise<void> {
    if (this.generations.has(generation)) throw new ValidationError(`generation ${generation} exists`, { field: 'generation' });
    this.generations.set(generation, { dimension: options.dimension, records: new Map(), complete: false });
  }

  async upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult> {
    const stored = this.get(generation);
    const failed: { id: string; reason: string }[] = [];
    for (const record of records) {
      if (record.vector.length !== stored.dimension) throw new DimensionMismatchError(stored.dimension, record.vector.length);
      if (this.failIds.has(record.id)) failed.push({ id: record.id, reason: 'mapper_parsing_exception' });
      else stored.records.set(record.id, record);
    }
    return { indexed: records.length - failed.length, failed };
  }

  async finalize(generation: string): Promise<GenerationInfo> {
    const stored = this.get(generation);
    stored.complete = true;
    return { generation, count: stored.records.size - this.loseOnFinalize, complete: true };
  }

  async search(): Promise<SearchHit[]> {
    return [];
  }

  async swapAlias(alias: string, generation: string): Promise<{ readonly previous: string | undefined }> {
    if (!this.get(generation).complete) throw new ValidationError(`generation ${generation} is not finalized`, { field: 'generation' });
    const previous = this.aliases.get(alias);
    this.aliases.set(alias, generation);
    return { previous };
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    return this.aliases.get(alias);
  }

  async listGenerations(): Promise<GenerationInfo[]> {
    return [...this.generations].map(([generation, stored]) => ({ generation, count: stored.records.size, complete: stored.complete }));
  }

  async deleteGeneration(generation: string): Promise<void> {
    if ([...this.aliases.values()].includes(generation)) throw new ValidationError(`generation ${generation} is aliased`, { field: 'generation' });
    this.get(generation);
    this.generations.delete(generation);
  }

  private get(generation: string): StoredGeneration {
    const stored = this.generations.get(generation);
    if (!stored) throw new NotFoundError(`no generation ${generation}`);
    return stored;
  }
}

export class RecordingPublisher implements GenerationPublisher {
  readonly published: PublishedGeneration[] = [];
  failWith: Error | undefined;

  async publish(generation: PublishedGeneration): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.published.push(generation);
  }
}
