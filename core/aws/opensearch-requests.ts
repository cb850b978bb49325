/**
 * The request bodies the OpenSearch vector index sends, and the conversions of what comes back, as pure functions:
 * index settings and mapping, bulk NDJSON in bounded chunks, the k-NN query with efficient filtering, and the score
 * -> cosine formulas. https://opensearch.org/docs/latest/search-plugins/knn/approximate-knn/
 */
import { AppError, ValidationError } from '../errors';
import { recordProblem as sharedRecordProblem } from '../index-record-rules';
import { compileFilter } from '../local/record-filter';
import type { IndexRecord, SearchFilter, SearchHit } from '../ports/vector-index';

export type SpaceType = 'innerproduct' | 'cosinesimil' | 'l2';
export const SPACE_TYPES: readonly SpaceType[] = ['innerproduct', 'cosinesimil', 'l2'];
export const VECTOR_FIELD = 'vector';
export const META_FORMAT = 'opensearch-vector-index-generation';
/** OpenSearch's own ceiling on k and on `size`. */
export const MAX_K = 10_000;
// Index and alias names: lowercase (OpenSearch refuses upper case), no path or wildcard characters.
const NAME = /^[a-z0-9][a-z0-9._-]{0,199}$/;

export interface HnswSettings {
  readonly spaceType: SpaceType;
  readonly m: number;
  readonly efConstruction: number;
  readonly efSearch: number;
}

/** Stored in the index mapping's `_meta`, so the generation carries its own state. */
export interface GenerationMeta {
  readonly format: typeof META_FORMAT;
  readonly generation: string;
  readonly dimension: number;
  readonly complete: boolean;
  readonly count?: number;
  readonly finalizedAt?: string;
}

export function validateOpenSearchName(name: string, field: 'generation' | 'alias' | 'indexPrefix'): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(
      `${field} ${JSON.stringify(name)} must be 1-200 characters of lowercase letters, digits, ".", "_" or "-", starting with a letter or digit (OpenSearch index and alias names are lowercase)`,
      { field },
    );
  }
}

export function createIndexBody(dimension: number, generation: string, hnsw: HnswSettings): Record<string, unknown> {
  const meta: GenerationMeta = { format: META_FORMAT, generation, dimension, complete: false };
  return {
    settings: { index: { knn: true, 'knn.algo_param.ef_search': hnsw.efSearch } },
    mappings: {
      _meta: meta,
      dynamic: 'strict',
      properties: {
        [VECTOR_FIELD]: {
          type: 'knn_vector',
          dimension,
          method: { name: 'hnsw', engine: 'faiss', space_type: hnsw.spaceType, parameters: { m: hnsw.m, ef_construction: hnsw.efConstruction } },
        },
        id: { type: 'keyword' },
        generation: { type: 'keyword' },
        cluster: { type: 'integer' },
        // Every metadata field becomes a keyword, so the equality filters of the port work on any of them.
        metadata: { type: 'object', dynamic: true },
      },
      dynamic_templates: [{ metadata_keywords: { path_match: 'metadata.*', match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
    },
  };
}

/** The same record rules as the local index, so both report the same records as failed. */
/** The shared record rules plus OpenSearch's own: a document _id is at most 512 bytes. */
export function recordProblem(record: IndexRecord, dimension: number): string | undefined {
  if (typeof record?.id === 'string' && Buffer.byteLength(record.id, 'utf8') > 512) return 'id is longer than 512 bytes, the OpenSearch _id limit';
  return sharedRecordProblem(record, dimension);
}

export function unitVector(vector: Float32Array): number[] {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += (vector[i] as number) ** 2;
  const scale = 1 / Math.sqrt(sum);
  return Array.from(vector, (x) => Math.fround(x * scale));
}

export interface BulkChunk {
  /** Record ids in the order of the chunk's actions. */
  readonly ids: string[];
  /** NDJSON: an action line and a source line per record, each ending in "\n". */
  readonly body: string;
  readonly bytes: number;
}

/** Splits records into `_bulk` bodies of at most `maxDocs` records and `maxBytes` bytes (a bigger record goes alone). */
export function bulkChunks(index: string, generation: string, records: readonly IndexRecord[], limits: { maxDocs: number; maxBytes: number }): BulkChunk[] {
  const chunks: BulkChunk[] = [];
  let ids: string[] = [];
  let parts: string[] = [];
  let bytes = 0;
  const flush = (): void => {
    if (ids.length > 0) chunks.push({ ids, body: parts.join(''), bytes });
    ids = [];
    parts = [];
    bytes = 0;
  };
  for (const record of records) {
    const action = `${JSON.stringify({ index: { _index: index, _id: record.id } })}\n`;
    const source = `${JSON.stringify({ id: record.id, generation, cluster: record.cluster, metadata: record.metadata, [VECTOR_FIELD]: unitVector(record.vector) })}\n`;
    const size = Buffer.byteLength(action) + Buffer.byteLength(source);
    if (ids.length > 0 && (ids.length >= limits.maxDocs || bytes + size > limits.maxBytes)) flush();
    ids.push(record.id);
    parts.push(action, source);
    bytes += size;
  }
  flush();
  return chunks;
}

/** Port filter -> OpenSearch bool filter of `terms` clauses; validated by the same rules as the local index. */
export function filterClause(filter: SearchFilter): Record<string, unknown> {
  compileFilter(filter);
  const clauses = Object.entries(filter).map(([field, values]) =>
    field === 'cluster' ? { terms: { cluster: values.map(Number) } } : { terms: { [`metadata.${field}`]: values.map(String) } },
  );
  return { bool: { filter: clauses } };
}

/** The k-NN query; a filter goes inside the knn clause, which faiss HNSW applies while searching (efficient filtering). */
export function knnQueryBody(query: Float32Array, k: number, filter?: SearchFilter): Record<string, unknown> {
  if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new ValidationError(`k must be an integer from 1 to ${MAX_K}, got ${String(k)}`, { field: 'k' });
  if (!(query instanceof Float32Array)) throw new ValidationError('query vector must be a Float32Array', { field: 'vector' });
  if (!query.every(Number.isFinite)) throw new ValidationError('query vector has a NaN or infinite component', { field: 'vector' });
  if (!query.some((x) => x !== 0)) throw new ValidationError('query vector is all zeros', { field: 'vector' });
  const knn: Record<string, unknown> = { vector: unitVector(query), k };
  if (filter !== undefined) knn.filter = filterClause(filter);
  return { size: k, _source: { excludes: [VECTOR_FIELD] }, query: { knn: { [VECTOR_FIELD]: knn } } };
}

/**
 * OpenSearch score -> cosine similarity for unit vectors: faiss innerproduct scores 1 + ip (ip >= 0) or 1 / (1 - ip),
 * cosinesimil (1 + cos) / 2, l2 1 / (1 + d²) with d² = 2 - 2 cos.
 * https://opensearch.org/docs/latest/search-plugins/knn/approximate-knn/#spaces
 */
export function scoreToCosine(score: number, spaceType: SpaceType): number {
  let cosine: number;
  if (spaceType === 'innerproduct') cosine = score >= 1 ? score - 1 : 1 - 1 / score;
  else if (spaceType === 'cosinesimil') cosine = 2 * score - 1;
  else cosine = 1 - (1 / score - 1) / 2;
  return Math.max(-1, Math.min(1, cosine));
}

/** The inverse, used by fakes and tests to produce what OpenSearch would return. */
export function cosineToScore(cosine: number, spaceType: SpaceType): number {
  if (spaceType === 'innerproduct') return cosine >= 0 ? 1 + cosine : 1 / (1 - cosine);
  if (spaceType === 'cosinesimil') return (1 + cosine) / 2;
  return 1 / (1 + (2 - 2 * cosine));
}

interface RawHit {
  _score?: number;
  _source?: { id?: unknown; cluster?: unknown; metadata?: unknown };
}

export function parseHits(body: unknown, spaceType: SpaceType): SearchHit[] {
  const hits = (body as { hits?: { hits?: RawHit[] } })?.hits?.hits;
  if (!Array.isArray(hits)) throw new AppError('OpenSearch search response has no hits.hits array');
  return hits.map((hit) => {
    const source = hit._source ?? {};
    return {
      id: String(source.id),
      similarity: scoreToCosine(Number(hit._score), spaceType),
      cluster: Number(source.cluster),
      metadata: (source.metadata ?? {}) as Record<string, string>,
    };
  });
}
