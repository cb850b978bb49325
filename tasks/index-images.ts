/**
 * Pipeline step "Index images": builds a new index generation from the run's embeddings, clusters and manifest
 * metadata, finalizes it (refresh) and checks that it holds every embedded image. The alias is not touched here.
 */
import { AppError, ValidationError } from '../core/errors';
import { readManifest } from '../core/image-manifest';
import type { ObjectStore } from '../core/ports/object-store';
import type { IndexRecord, VectorIndex } from '../core/ports/vector-index';
import { readEmbeddings } from './embeddings-files';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface IndexImagesEvent extends StepContext {
  readonly generation: string;
  readonly embeddingsPrefix: string;
  readonly assignmentsKey: string;
  readonly manifestKey: string;
  readonly dimension: number;
}

export interface IndexImagesResult {
  readonly generation: string;
  readonly indexed: number;
}

export interface IndexImagesDeps {
  readonly index: VectorIndex;
  readonly store: ObjectStore;
  /** Records per upsert call. @default 500 */
  readonly chunkSize?: number;
}

export function makeIndexImagesHandler(deps: IndexImagesDeps): (event: IndexImagesEvent) => Promise<IndexImagesResult> {
  const chunkSize = deps.chunkSize ?? 500;
  return async (event) => {
    const generation = requireString(event, 'generation');
    const prefix = requireString(event, 'embeddingsPrefix');
    const assignmentsKey = requireString(event, 'assignmentsKey');
    const manifestKey = requireString(event, 'manifestKey');
    const dimension = requireInteger(event, 'dimension', 1);

    const clusters = new Map<string, number>();
    for await (const line of deps.store.readLines(assignmentsKey)) {
      if (line.trim() === '') continue;
      const { imageId, cluster } = JSON.parse(line) as { imageId: string; cluster: number };
      clusters.set(imageId, cluster);
    }
    const metadata = new Map((await readManifest(deps.store.readLines(manifestKey))).map((entry) => [entry.imageId, entry.metadata]));

    await deps.index.createGeneration(generation, { dimension });
    const failures: { id: string; reason: string }[] = [];
    let indexed = 0;
    let expected = 0;
    let chunk: IndexRecord[] = [];
    const flush = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const result = await deps.index.upsert(generation, chunk);
      indexed += result.indexed;
      failures.push(...result.failed);
      chunk = [];
    };
    for await (const line of readEmbeddings(deps.store, prefix, dimension)) {
      const cluster = clusters.get(line.imageId);
      if (cluster === undefined) throw new ValidationError(`image ${line.imageId} has an embedding but no cluster in ${assignmentsKey}`, { field: 'assignments' });
      const fields = metadata.get(line.imageId);
      if (fields === undefined) throw new ValidationError(`image ${line.imageId} has an embedding but is not in ${manifestKey}`, { field: 'manifest' });
      expected++;
      chunk.push({ id: line.imageId, vector: Float32Array.from(line.vector), cluster, metadata: fields });
      if (chunk.length >= chunkSize) await flush();
    }
    await flush();
    if (failures.length > 0) {
      const sample = failures.slice(0, 5).map((f) => `${f.id}: ${f.reason}`).join('; ');
      throw new AppError(`${failures.length} of ${expected} images failed to index into ${generation} (${sample}); the alias was not changed`);
    }
    const info = await deps.index.finalize(generation);
    if (info.count !== expected) {
      throw new AppError(`generation ${generation} holds ${info.count} images after finalize, expected ${expected}; the alias was not changed`);
    }
    return { generation, indexed };
  };
}
