/**
 * The embedded vector index: generations of records on disk, HNSW (hnswlib) for large generations, brute force for
 * small ones, and alias files swapped atomically so a serving process picks up a new generation without a restart.
 */
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW } from 'hnswlib-node';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AppError, DimensionMismatchError, NoIndexError, NotFoundError, ValidationError } from '../errors';
import { recordProblem } from '../index-record-rules';
import type { GenerationInfo, IndexRecord, SearchHit, SearchOptions, UpsertResult, VectorIndex } from '../ports/vector-index';
import { exactTopK, rowDot } from './exact-search';
import type { ScoredRow } from './exact-search';
import {
  IndexLayout, appendUpserts, listAliases, listGenerationNames, newMeta, readAlias, readMeta, readRecords, readUpserts,
  readVectors, validateName, writeAlias, writeMeta, writeRecords, writeVectors,
} from './index-generation-files';
import type { GenerationMeta, StoredRecord } from './index-generation-files';
import { compileFilter } from './record-filter';
import { syncDirectory } from '../atomic-file';

/** Defaults match OpenSearch's k-NN HNSW defaults (m 16, ef_construction 100, ef_search 100) so both adapters behave alike. */
export interface HnswParams {
  /** Graph degree. @default 16 */
  readonly m?: number;
  /** Candidate list size while building. @default 100 */
  readonly efConstruction?: number;
  /** Candidate list size while searching (raised to k when k is larger). @default 100 */
  readonly efSearch?: number;
  /** hnswlib's level-assignment seed, so a rebuild from the same records gives the same graph. @default 100 */
  readonly seed?: number;
}

export interface LocalVectorIndexProps {
  /** Folder holding generations/ and aliases/; created on first write. */
  readonly root: string;
  readonly hnsw?: HnswParams;
  /**
   * Generations (and filtered subsets) with fewer rows than this are searched by brute force, which below this size is
   * as fast as HNSW and always exact.
   * @default DEFAULT_EXACT_THRESHOLD
   */
  readonly exactThreshold?: number;
  /** Loaded generations kept in memory (the live one plus the one being swapped in). @default 3 */
  readonly maxLoadedGenerations?: number;
}

/**
 * Measured on the 2-core dev box (k = 10, one query at a time): brute force in JS matches an hnswlib query at about
 * 400 rows for 64-d, 250-400 for 128-d, 150 for 256-d and 100-200 for 1024-d vectors — hnswlib's fixed cost is
 * mostly copying the query into C++. 256 sits at the crossover for the local embedder's 64-128 dims and costs at most
 * ~0.3 ms more than HNSW at 1024-d; below it results are exact and finalize skips the graph build.
 */
export const DEFAULT_EXACT_THRESHOLD = 256;
const MAX_K = 10_000;

interface LoadedGeneration {
  readonly meta: GenerationMeta;
  readonly records: readonly StoredRecord[];
  readonly vectors: Float32Array;
  readonly hnsw: HierarchicalNSW | undefined;
}

export class LocalVectorIndex implements VectorIndex {
  private readonly layout: IndexLayout;
  private readonly m: number;
  private readonly efConstruction: number;
  private readonly efSearch: number;
  private readonly seed: number;
  private readonly exactThreshold: number;
  private readonly maxLoaded: number;
  /** Most recently used last; a promise so concurrent first searches share one load. */
  private readonly loaded = new Map<string, Promise<LoadedGeneration>>();
  /** Appends to one generation's build log run one after another, so concurrent upserts never interleave bytes. */
  private readonly appending = new Map<string, Promise<unknown>>();

  constructor(props: LocalVectorIndexProps) {
    if (typeof props.root !== 'string' || props.root.length === 0) {
      throw new ValidationError('LocalVectorIndex needs a root folder', { field: 'root' });
    }
    this.layout = new IndexLayout(resolve(props.root));
    this.m = positiveInteger(props.hnsw?.m ?? 16, 'hnsw.m', 2);
    this.efConstruction = positiveInteger(props.hnsw?.efConstruction ?? 100, 'hnsw.efConstruction');
    this.efSearch = positiveInteger(props.hnsw?.efSearch ?? 100, 'hnsw.efSearch');
    this.seed = props.hnsw?.seed ?? 100;
    this.exactThreshold = nonNegativeInteger(props.exactThreshold ?? DEFAULT_EXACT_THRESHOLD, 'exactThreshold');
    this.maxLoaded = positiveInteger(props.maxLoadedGenerations ?? 3, 'maxLoadedGenerations');
  }

  async createGeneration(generation: string, options: { readonly dimension: number }): Promise<void> {
    validateName(generation, 'generation');
    positiveInteger(options.dimension, 'dimension');
    await mkdir(this.layout.generationsDir, { recursive: true });
    try {
      await mkdir(this.layout.generationDir(generation));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ValidationError(`generation "${generation}" already exists; pick a new name or deleteGeneration it first`, {
          field: 'generation',
        });
      }
      throw error;
    }
    await writeMeta(this.layout, newMeta(generation, options.dimension));
  }

  /** Invalid records (wrong dimension, non-finite or zero vector, bad id/cluster/metadata) are reported, not thrown. */
  async upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult> {
    const meta = await this.requireMeta(generation);
    if (meta.complete) {
      throw new ValidationError(`generation "${generation}" is finalized and read-only; build a new generation instead`, {
        field: 'generation',
      });
    }
    const accepted: IndexRecord[] = [];
    const failed: { id: string; reason: string }[] = [];
    for (const record of records) {
      const reason = recordProblem(record, meta.dimension);
      if (reason === undefined) accepted.push({ ...record, vector: unitCopy(record.vector) });
      else failed.push({ id: String(record?.id), reason });
    }
    const previous = this.appending.get(generation) ?? Promise.resolve();
    const append = previous.catch(() => undefined).then(() => appendUpserts(this.layout, generation, accepted));
    this.appending.set(generation, append);
    try {
      await append;
    } finally {
      if (this.appending.get(generation) === append) this.appending.delete(generation);
    }
    return { indexed: accepted.length, failed };
  }

  async finalize(generation: string): Promise<GenerationInfo> {
    const meta = await this.requireMeta(generation);
    if (meta.complete) return infoOf(meta);
    const upserts = [...(await readUpserts(this.layout, generation)).values()];
    const dimension = meta.dimension;
    const vectors = new Float32Array(upserts.length * dimension);
    upserts.forEach((r, row) => vectors.set(r.vector, row * dimension));
    const records: StoredRecord[] = upserts.map((r) => ({ id: r.id, cluster: r.cluster, metadata: r.metadata }));
    await writeRecords(this.layout, generation, records);
    await writeVectors(this.layout, generation, vectors);
    let hnsw: HierarchicalNSW | undefined;
    if (upserts.length >= this.exactThreshold && upserts.length > 0) {
      hnsw = this.buildGraph(vectors, dimension, upserts.length);
      await this.writeGraph(generation, hnsw);
    }
    // meta.json goes last: until it says complete, readers and swapAlias treat the generation as half-built.
    const done: GenerationMeta = {
      ...meta,
      count: upserts.length,
      complete: true,
      finalizedAt: new Date().toISOString(),
      ...(hnsw ? { hnsw: { m: this.m, efConstruction: this.efConstruction, seed: this.seed } } : {}),
    };
    await writeMeta(this.layout, done);
    await rm(this.layout.file(generation, 'upserts.jsonl'), { force: true });
    this.remember(generation, Promise.resolve({ meta: done, records, vectors, hnsw }));
    return infoOf(done);
  }

  async search(
    target: { readonly alias: string } | { readonly generation: string },
    vector: Float32Array,
    options: SearchOptions,
  ): Promise<SearchHit[]> {
    const k = options?.k;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) {
      throw new ValidationError(`k must be an integer from 1 to ${MAX_K}, got ${String(k)}`, { field: 'k' });
    }
    const predicate = options.filter === undefined ? undefined : compileFilter(options.filter);
    const generation = await this.targetGeneration(target);
    const loaded = await this.load(generation);
    const { dimension } = loaded.meta;
    const query = queryVector(vector, dimension);

    let candidates: Int32Array | undefined;
    if (predicate) {
      const rows: number[] = [];
      loaded.records.forEach((r, row) => {
        if (predicate(r.cluster, r.metadata)) rows.push(row);
      });
      candidates = Int32Array.from(rows);
    }
    const available = candidates ? candidates.length : loaded.records.length;
    const wanted = Math.min(k, available);
    let scored: ScoredRow[] | undefined;
    if (loaded.hnsw && available >= this.exactThreshold) scored = this.graphSearch(loaded, query, wanted, candidates);
    // The graph can come back short under a selective filter; brute force over the subset keeps the k guarantee.
    if (scored === undefined || scored.length < wanted) scored = exactTopK(loaded.vectors, dimension, query, wanted, candidates);
    return scored.map(({ row, score }) => {
      const record = loaded.records[row] as StoredRecord;
      return { id: record.id, similarity: clampCosine(score), cluster: record.cluster, metadata: record.metadata };
    });
  }

  async swapAlias(alias: string, generation: string): Promise<{ readonly previous: string | undefined }> {
    validateName(alias, 'alias');
    const meta = await this.requireMeta(generation);
    if (!meta.complete) {
      throw new ValidationError(`generation "${generation}" is not finalized; finalize it before pointing alias "${alias}" at it`, {
        field: 'generation',
      });
    }
    const previous = await readAlias(this.layout, alias);
    await writeAlias(this.layout, alias, generation);
    return { previous };
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    validateName(alias, 'alias');
    return readAlias(this.layout, alias);
  }

  async listGenerations(): Promise<GenerationInfo[]> {
    const out: GenerationInfo[] = [];
    for (const name of await listGenerationNames(this.layout)) {
      const meta = await readMeta(this.layout, name);
      // A folder without meta.json is a createGeneration that crashed before its first write: incomplete, empty.
      out.push(meta ? infoOf(meta) : { generation: name, count: 0, complete: false });
    }
    return out;
  }

  async deleteGeneration(generation: string): Promise<void> {
    validateName(generation, 'generation');
    const names = await listGenerationNames(this.layout);
    if (!names.includes(generation)) throw new NotFoundError(`generation "${generation}" does not exist in ${this.layout.root}`);
    const users = (await listAliases(this.layout)).filter((a) => a.generation === generation).map((a) => a.alias);
    if (users.length > 0) {
      throw new ValidationError(
        `generation "${generation}" is in use by alias ${users.map((a) => `"${a}"`).join(', ')}; swap the alias away first`,
        { field: 'generation' },
      );
    }
    // Renaming to a hidden name first makes the delete atomic for readers: a crash mid-rm leaves no half generation.
    const doomed = join(this.layout.generationsDir, `.deleting-${generation}-${randomBytes(4).toString('hex')}`);
    await rename(this.layout.generationDir(generation), doomed);
    this.loaded.delete(generation);
    await rm(doomed, { recursive: true, force: true });
  }

  private async targetGeneration(target: { readonly alias: string } | { readonly generation: string }): Promise<string> {
    if (target !== null && typeof target === 'object' && 'alias' in target) {
      validateName(target.alias, 'alias');
      // Re-read on every search (a ~100-byte file): this is how a serving process sees the pipeline's swap at once.
      const generation = await readAlias(this.layout, target.alias);
      if (generation === undefined) throw new NoIndexError(target.alias);
      return generation;
    }
    if (target !== null && typeof target === 'object' && 'generation' in target) {
      validateName(target.generation, 'generation');
      return target.generation;
    }
    throw new ValidationError('search target must be { alias } or { generation }', { field: 'target' });
  }

  private async requireMeta(generation: string): Promise<GenerationMeta> {
    validateName(generation, 'generation');
    const meta = await readMeta(this.layout, generation);
    if (!meta) throw new NotFoundError(`generation "${generation}" does not exist in ${this.layout.root}`);
    return meta;
  }

  private load(generation: string): Promise<LoadedGeneration> {
    let pending = this.loaded.get(generation);
    if (pending === undefined) {
      pending = this.readGeneration(generation);
      pending.catch(() => this.loaded.delete(generation));
    }
    this.remember(generation, pending);
    return pending;
  }

  private remember(generation: string, pending: Promise<LoadedGeneration>): void {
    this.loaded.delete(generation);
    this.loaded.set(generation, pending);
    while (this.loaded.size > this.maxLoaded) this.loaded.delete(this.loaded.keys().next().value as string);
  }

  private async readGeneration(generation: string): Promise<LoadedGeneration> {
    const meta = await this.requireMeta(generation);
    if (!meta.complete) {
      throw new ValidationError(`generation "${generation}" is not finalized yet; finalize it before searching`, { field: 'generation' });
    }
    const [records, vectors] = await Promise.all([readRecords(this.layout, generation), readVectors(this.layout, generation)]);
    if (records.length !== meta.count || vectors.length !== meta.count * meta.dimension) {
      throw new AppError(
        `generation "${generation}" is corrupt: meta says ${meta.count} x ${meta.dimension}, found ${records.length} records and ${vectors.length} floats`,
      );
    }
    let hnsw: HierarchicalNSW | undefined;
    // A generation finalized by a process with a higher threshold has no graph; brute force is still exact.
    if (meta.hnsw && meta.count >= this.exactThreshold) {
      hnsw = new hnswlib.HierarchicalNSW('ip', meta.dimension);
      await hnsw.readIndex(this.layout.file(generation, 'hnsw.bin'));
    }
    return { meta, records, vectors, hnsw };
  }

  private buildGraph(vectors: Float32Array, dimension: number, count: number): HierarchicalNSW {
    const graph = new hnswlib.HierarchicalNSW('ip', dimension);
    graph.initIndex({ maxElements: count, m: this.m, efConstruction: this.efConstruction, randomSeed: this.seed });
    for (let row = 0; row < count; row++) {
      graph.addPoint(Array.from(vectors.subarray(row * dimension, (row + 1) * dimension)), row);
    }
    return graph;
  }

  /** hnswlib writes the file itself without fsync; sync it before the rename so the graph is durable before meta. */
  private async writeGraph(generation: string, graph: HierarchicalNSW): Promise<void> {
    const path = this.layout.file(generation, 'hnsw.bin');
    const temp = `${path}.partial`;
    await graph.writeIndex(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncDirectory(this.layout.generationDir(generation));
  }

  private graphSearch(loaded: LoadedGeneration, query: Float32Array, k: number, candidates?: Int32Array): ScoredRow[] {
    const graph = loaded.hnsw as HierarchicalNSW;
    graph.setEf(Math.max(this.efSearch, k));
    let allowed: Uint8Array | undefined;
    if (candidates) {
      allowed = new Uint8Array(loaded.records.length);
      for (const row of candidates) allowed[row] = 1;
    }
    const mask = allowed;
    const result = graph.searchKnn(Array.from(query), k, mask ? (label) => mask[label] === 1 : undefined);
    // Score from the stored float32 rows (not 1 - distance) so both search paths report identical similarities.
    const { dimension } = loaded.meta;
    return result.neighbors
      .map((row) => ({ row, score: rowDot(loaded.vectors, row * dimension, query, dimension) }))
      .sort((a, b) => b.score - a.score || a.row - b.row);
  }
}

function queryVector(vector: Float32Array, dimension: number): Float32Array {
  if (!(vector instanceof Float32Array)) throw new ValidationError('query vector must be a Float32Array', { field: 'vector' });
  if (vector.length !== dimension) throw new DimensionMismatchError(dimension, vector.length, 'query vector');
  if (!vector.every(Number.isFinite)) throw new ValidationError('query vector has a NaN or infinite component', { field: 'vector' });
  if (!vector.some((x) => x !== 0)) throw new ValidationError('query vector is all zeros', { field: 'vector' });
  return unitCopy(vector);
}

/** Stored and query vectors are re-normalised so the inner product is the cosine even if a caller's were not unit. */
function unitCopy(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] as number) ** 2;
  const scale = 1 / Math.sqrt(sum);
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = (vector[i] as number) * scale;
  return out;
}

function clampCosine(score: number): number {
  return Math.max(-1, Math.min(1, score));
}

function infoOf(meta: GenerationMeta): GenerationInfo {
  return { generation: meta.generation, count: meta.count, complete: meta.complete };
}

function positiveInteger(value: number, field: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(`${field} must be an integer >= ${min}, got ${String(value)}`, { field });
  return value;
}

function nonNegativeInteger(value: number, field: string): number {
  return positiveInteger(value, field, 0);
}
