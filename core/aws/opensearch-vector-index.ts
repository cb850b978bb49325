/**
 * The VectorIndex port on an OpenSearch managed domain: one index per generation (`<prefix><generation>`) with a faiss
 * HNSW knn_vector field, aliases swapped in one `_aliases` call, the generation's state kept in the mapping's `_meta`.
 * Requests go through `client.transport.request`; 429 and gateway errors are retried with full-jitter backoff.
 */
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { AppError, NoIndexError, NotFoundError, ValidationError } from '../errors';
import type { GenerationInfo, IndexRecord, SearchHit, SearchOptions, UpsertResult, VectorIndex } from '../ports/vector-index';
import {
  bulkChunks, createIndexBody, knnQueryBody, META_FORMAT, parseHits, recordProblem, SPACE_TYPES, validateOpenSearchName,
} from './opensearch-requests';
import type { GenerationMeta, HnswSettings, SpaceType } from './opensearch-requests';
import { validateRetryOptions, withRetry } from './retry';
import type { RetryOptions } from './retry';

export interface OpenSearchVectorIndexProps {
  /** A configured client; see `createOpenSearchClient`. Give it `maxRetries: 0` so 429s meet this adapter's backoff. */
  readonly client: Client;
  /** Index name = prefix + generation; also what listGenerations matches. @default 'images-' */
  readonly indexPrefix?: string;
  /** @default 'innerproduct' (vectors are unit length, so the inner product is the cosine) */
  readonly spaceType?: SpaceType;
  /** @default 16 */
  readonly m?: number;
  /** @default 100 */
  readonly efConstruction?: number;
  /** @default 100 */
  readonly efSearch?: number;
  /** Records per `_bulk` request. @default 500 */
  readonly bulkMaxDocs?: number;
  /** Bytes per `_bulk` request; the domain's HTTP payload limit is 10 MB on the smallest instance types. @default 5 MB */
  readonly bulkMaxBytes?: number;
  readonly retry?: RetryOptions;
}

interface Response {
  readonly statusCode: number;
  readonly body: unknown;
}

interface Request {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  readonly bulkBody?: string;
  readonly querystring?: Record<string, string>;
}

interface BulkItemResult {
  readonly id: string;
  readonly status: number;
  readonly reason?: string;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** A client for a managed domain (service 'es') or a serverless collection ('aoss'), signed with SigV4. */
export function createOpenSearchClient(props: { readonly endpoint: string; readonly region: string; readonly service?: 'es' | 'aoss' }): Client {
  return new Client({
    ...AwsSigv4Signer({ region: props.region, service: props.service ?? 'es', getCredentials: fromNodeProviderChain() }),
    node: props.endpoint,
    maxRetries: 0,
  });
}

export class OpenSearchVectorIndex implements VectorIndex {
  private readonly client: Client;
  readonly indexPrefix: string;
  private readonly hnsw: HnswSettings;
  private readonly bulkMaxDocs: number;
  private readonly bulkMaxBytes: number;
  private readonly retry: RetryOptions;

  constructor(props: OpenSearchVectorIndexProps) {
    this.client = props.client;
    this.indexPrefix = props.indexPrefix ?? 'images-';
    validateOpenSearchName(this.indexPrefix, 'indexPrefix');
    const spaceType = props.spaceType ?? 'innerproduct';
    if (!SPACE_TYPES.includes(spaceType)) {
      throw new ValidationError(`spaceType must be one of ${SPACE_TYPES.join(', ')}, got ${JSON.stringify(spaceType)}`, { field: 'spaceType' });
    }
    this.hnsw = {
      spaceType,
      m: positiveInteger(props.m ?? 16, 'm', 2),
      efConstruction: positiveInteger(props.efConstruction ?? 100, 'efConstruction'),
      efSearch: positiveInteger(props.efSearch ?? 100, 'efSearch'),
    };
    this.bulkMaxDocs = positiveInteger(props.bulkMaxDocs ?? 500, 'bulkMaxDocs');
    this.bulkMaxBytes = positiveInteger(props.bulkMaxBytes ?? 5 * 1024 * 1024, 'bulkMaxBytes');
    validateRetryOptions(props.retry, 'retry');
    this.retry = props.retry ?? {};
  }

  indexName(generation: string): string {
    validateOpenSearchName(generation, 'generation');
    return `${this.indexPrefix}${generation}`;
  }

  async createGeneration(generation: string, options: { readonly dimension: number }): Promise<void> {
    const index = this.indexName(generation);
    positiveInteger(options.dimension, 'dimension');
    const response = await this.send({ method: 'PUT', path: `/${index}`, body: createIndexBody(options.dimension, generation, this.hnsw) }, [400]);
    if (response.statusCode === 400) {
      if (errorType(response.body) === 'resource_already_exists_exception') {
        throw new ValidationError(`generation "${generation}" already exists; pick a new name or deleteGeneration it first`, { field: 'generation' });
      }
      throw failure('PUT', `/${index}`, response);
    }
  }

  async upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult> {
    const meta = await this.requireMeta(generation);
    if (meta.complete) {
      throw new ValidationError(`generation "${generation}" is finalized and read-only; build a new generation instead`, { field: 'generation' });
    }
    const accepted: IndexRecord[] = [];
    const failed: { id: string; reason: string }[] = [];
    for (const record of records) {
      const reason = recordProblem(record, meta.dimension);
      if (reason === undefined) accepted.push(record);
      else failed.push({ id: String(record?.id), reason });
    }
    // The last of several records with one id wins, as in the local index; sending both would race inside one bulk.
    const unique = [...new Map(accepted.map((r) => [r.id, r])).values()];
    const byId = new Map(unique.map((r) => [r.id, r]));
    const index = this.indexName(generation);
    let indexed = 0;
    for (const chunk of bulkChunks(index, generation, unique, { maxDocs: this.bulkMaxDocs, maxBytes: this.bulkMaxBytes })) {
      const first = await this.bulk(chunk.body);
      const retry = first.filter((item) => item.status === 429 || item.status >= 500);
      const final = first.filter((item) => !retry.includes(item));
      // Rejections from a busy node (429) or a failed shard (5xx) often pass on a second try; mapping errors never do.
      if (retry.length > 0) {
        const again = bulkChunks(index, generation, retry.map((item) => byId.get(item.id) as IndexRecord), { maxDocs: Infinity, maxBytes: Infinity });
        final.push(...(await this.bulk((again[0] as { body: string }).body)));
      }
      for (const item of final) {
        if (item.status >= 200 && item.status < 300) indexed++;
        else failed.push({ id: item.id, reason: item.reason ?? `status ${item.status}` });
      }
    }
    return { indexed, failed };
  }

  async finalize(generation: string): Promise<GenerationInfo> {
    const meta = await this.requireMeta(generation);
    if (meta.complete) return { generation, count: meta.count ?? 0, complete: true };
    const index = this.indexName(generation);
    await this.send({ method: 'POST', path: `/${index}/_refresh` });
    const count = await this.countOf(index);
    const done: GenerationMeta = { ...meta, complete: true, count, finalizedAt: new Date().toISOString() };
    await this.send({ method: 'PUT', path: `/${index}/_mapping`, body: { _meta: done } });
    return { generation, count, complete: true };
  }

  async search(target: { readonly alias: string } | { readonly generation: string }, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]> {
    const body = knnQueryBody(vector, options?.k, options?.filter);
    let name: string;
    let missing: () => Error;
    if (target !== null && typeof target === 'object' && 'alias' in target) {
      validateOpenSearchName(target.alias, 'alias');
      name = target.alias;
      missing = () => new NoIndexError(target.alias);
    } else if (target !== null && typeof target === 'object' && 'generation' in target) {
      name = this.indexName(target.generation);
      missing = () => new NotFoundError(`generation "${target.generation}" does not exist (no index ${name})`);
    } else {
      throw new ValidationError('search target must be { alias } or { generation }', { field: 'target' });
    }
    // Searching the alias itself resolves it inside OpenSearch: one round trip, and never a half-swapped view.
    const response = await this.send({ method: 'POST', path: `/${name}/_search`, body }, [400, 404]);
    if (response.statusCode === 404) throw missing();
    if (response.statusCode === 400) throw new ValidationError(`OpenSearch refused the k-NN query on ${name}: ${errorReason(response.body)}`, { field: 'vector' });
    return parseHits(response.body, this.hnsw.spaceType);
  }

  async swapAlias(alias: string, generation: string): Promise<{ readonly previous: string | undefined }> {
    validateOpenSearchName(alias, 'alias');
    const meta = await this.requireMeta(generation);
    if (!meta.complete) {
      throw new ValidationError(`generation "${generation}" is not finalized; finalize it before pointing alias "${alias}" at it`, { field: 'generation' });
    }
    const current = await this.aliasIndex(alias);
    const index = this.indexName(generation);
    // Removing from the index read a moment ago (not from "*") makes a concurrent swap fail instead of being lost.
    const actions = [
      ...(current !== undefined && current !== index ? [{ remove: { index: current, alias } }] : []),
      { add: { index, alias } },
    ];
    await this.send({ method: 'POST', path: '/_aliases', body: { actions } });
    return { previous: current === undefined ? undefined : this.generationOf(current) };
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    validateOpenSearchName(alias, 'alias');
    const index = await this.aliasIndex(alias);
    return index === undefined ? undefined : this.generationOf(index);
  }

  /**
   * Adapter-only (the teardown's): removes the alias, so every generation can then be deleted. Returns the generation
   * it pointed at, or undefined when there was no such alias. Uses DELETE so the caller needs no es:ESHttpPost.
   */
  async removeAlias(alias: string): Promise<string | undefined> {
    validateOpenSearchName(alias, 'alias');
    const index = await this.aliasIndex(alias);
    if (index === undefined) return undefined;
    const response = await this.send({ method: 'DELETE', path: `/${index}/_alias/${alias}` }, [404]);
    // 404: removed (or the index deleted) by someone else in between, which is the outcome asked for.
    if (response.statusCode === 404) return undefined;
    return this.generationOf(index);
  }

  async listGenerations(): Promise<GenerationInfo[]> {
    const response = await this.send({ method: 'GET', path: `/${this.indexPrefix}*/_mapping` });
    const out: GenerationInfo[] = [];
    for (const [index, value] of Object.entries((response.body ?? {}) as Record<string, { mappings?: { _meta?: GenerationMeta } }>)) {
      if (!index.startsWith(this.indexPrefix)) continue;
      const meta = value.mappings?._meta;
      // An index under the prefix that this adapter did not create is listed as incomplete, never aliased by swapAlias.
      const complete = meta?.format === META_FORMAT && meta.complete === true;
      out.push({ generation: this.generationOf(index), count: complete ? (meta.count ?? 0) : 0, complete });
    }
    return out.sort((a, b) => (a.generation < b.generation ? -1 : a.generation > b.generation ? 1 : 0));
  }

  async deleteGeneration(generation: string): Promise<void> {
    const index = this.indexName(generation);
    const response = await this.send({ method: 'GET', path: `/${index}/_alias` }, [404]);
    if (response.statusCode === 404) throw new NotFoundError(`generation "${generation}" does not exist (no index ${index})`);
    const aliases = Object.keys((response.body as Record<string, { aliases?: Record<string, unknown> }>)[index]?.aliases ?? {});
    if (aliases.length > 0) {
      throw new ValidationError(`generation "${generation}" is in use by alias ${aliases.map((a) => `"${a}"`).join(', ')}; swap the alias away first`, {
        field: 'generation',
      });
    }
    await this.send({ method: 'DELETE', path: `/${index}` });
  }

  /**
   * Keeps the `retain` newest generations (names sort by time: `gen-<UTC timestamp>`) and any generation an alias
   * points at, and deletes the rest. Returns what it deleted.
   */
  async deleteGenerationsBeyond(retain: number): Promise<string[]> {
    if (!Number.isInteger(retain) || retain < 0) throw new ValidationError(`retain must be an integer >= 0, got ${retain}`, { field: 'retain' });
    const names = (await this.listGenerations()).map((g) => g.generation).reverse();
    const aliased = await this.aliasedGenerations();
    const doomed = names.slice(retain).filter((g) => !aliased.has(g));
    for (const generation of doomed) await this.deleteGeneration(generation);
    return doomed;
  }

  private async aliasedGenerations(): Promise<Set<string>> {
    const response = await this.send({ method: 'GET', path: `/${this.indexPrefix}*/_alias` });
    const out = new Set<string>();
    for (const [index, value] of Object.entries((response.body ?? {}) as Record<string, { aliases?: Record<string, unknown> }>)) {
      if (index.startsWith(this.indexPrefix) && Object.keys(value.aliases ?? {}).length > 0) out.add(this.generationOf(index));
    }
    return out;
  }

  private async countOf(index: string): Promise<number> {
    const body = (await this.send({ method: 'GET', path: `/${index}/_count` })).body as { count?: unknown };
    if (typeof body?.count !== 'number') throw new AppError(`OpenSearch GET /${index}/_count returned no count`);
    return body.count;
  }

  /** The index an alias points at, or undefined when the alias does not exist. */
  private async aliasIndex(alias: string): Promise<string | undefined> {
    const response = await this.send({ method: 'GET', path: `/_alias/${alias}` }, [404]);
    if (response.statusCode === 404) return undefined;
    const indices = Object.keys((response.body ?? {}) as Record<string, unknown>);
    if (indices.length > 1) throw new AppError(`alias "${alias}" points at ${indices.length} indices (${indices.join(', ')}); it must point at one`);
    return indices[0];
  }

  private generationOf(index: string): string {
    return index.startsWith(this.indexPrefix) ? index.slice(this.indexPrefix.length) : index;
  }

  private async requireMeta(generation: string): Promise<GenerationMeta> {
    const index = this.indexName(generation);
    const response = await this.send({ method: 'GET', path: `/${index}/_mapping` }, [404]);
    if (response.statusCode === 404) throw new NotFoundError(`generation "${generation}" does not exist (no index ${index})`);
    const meta = (response.body as Record<string, { mappings?: { _meta?: GenerationMeta } }>)[index]?.mappings?._meta;
    if (meta?.format !== META_FORMAT || !Number.isInteger(meta.dimension)) {
      throw new AppError(`index ${index} was not created by this adapter (no "${META_FORMAT}" _meta in its mapping)`);
    }
    return meta;
  }

  /** Sends one `_bulk` request and returns each item's id, status and error. */
  private async bulk(ndjson: string): Promise<BulkItemResult[]> {
    const response = await this.send({ method: 'POST', path: '/_bulk', bulkBody: ndjson });
    const items = (response.body as { items?: { index?: { _id?: string; status?: number; error?: { type?: string; reason?: string } } }[] }).items;
    if (!Array.isArray(items)) throw new AppError('OpenSearch _bulk response has no items array');
    return items.map((entry) => {
      const item = entry.index ?? {};
      const status = Number(item.status);
      return {
        id: String(item._id),
        status,
        ...(item.error !== undefined && { reason: `${item.error.type ?? 'error'}: ${item.error.reason ?? `status ${status}`}` }),
      };
    });
  }

  /** One request, retried on 429 / 502-504 / connection errors; statuses in `ignore` come back instead of throwing. */
  private async send(request: Request, ignore: number[] = []): Promise<Response> {
    try {
      return await withRetry(
        async () => {
          const { method, path, body, bulkBody, querystring } = request;
          const response = await this.client.transport.request(
            { method, path, ...(body !== undefined && { body: body as Record<string, unknown> }), ...(bulkBody !== undefined && { bulkBody }), ...(querystring && { querystring }) },
            { ignore, maxRetries: 0 },
          );
          return { statusCode: response.statusCode ?? 0, body: response.body };
        },
        isRetryable,
        this.retry,
      );
    } catch (error) {
      const meta = error as { meta?: { statusCode?: number; body?: unknown } };
      if (meta.meta?.statusCode !== undefined) {
        throw failure(request.method, request.path, { statusCode: meta.meta.statusCode, body: meta.meta.body }, error);
      }
      throw error;
    }
  }
}

function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; meta?: { statusCode?: number } };
  return RETRYABLE_STATUS.has(e.meta?.statusCode ?? 0) || e.name === 'ConnectionError' || e.name === 'TimeoutError';
}

function failure(method: string, path: string, response: Response, cause?: unknown): AppError {
  return new AppError(`OpenSearch ${method} ${path} failed with status ${response.statusCode}: ${errorReason(response.body)}`, { cause });
}

function errorType(body: unknown): string | undefined {
  return (body as { error?: { type?: string } })?.error?.type;
}

function errorReason(body: unknown): string {
  const error = (body as { error?: { type?: string; reason?: string } | string })?.error;
  if (typeof error === 'string') return error;
  if (error !== undefined) return `${error.type ?? 'error'}: ${error.reason ?? ''}`;
  return JSON.stringify(body)?.slice(0, 300) ?? 'no body';
}

function positiveInteger(value: number, field: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(`${field} must be an integer >= ${min}, got ${String(value)}`, { field });
  return value;
}
