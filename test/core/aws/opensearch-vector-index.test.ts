import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { NoIndexError, NotFoundError, ValidationError } from '../../../core/errors';
import { OpenSearchVectorIndex } from '../../../core/aws/opensearch-vector-index';
import { bulkChunks, cosineToScore, knnQueryBody, scoreToCosine } from '../../../core/aws/opensearch-requests';
import type { IndexRecord } from '../../../core/ports/vector-index';
import { FakeOpenSearch } from './fake-opensearch';

const fake = new FakeOpenSearch();
let delays: number[] = [];
const retry = { sleep: async (ms: number) => void delays.push(ms), random: () => 0.5, baseDelayMs: 100 };

function makeIndex(props: Partial<ConstructorParameters<typeof OpenSearchVectorIndex>[0]> = {}): OpenSearchVectorIndex {
  return new OpenSearchVectorIndex({ client: fake.client(), indexPrefix: 'img-', retry, ...props });
}

function record(id: string, vector: number[], cluster = 0, metadata: Record<string, string> = {}): IndexRecord {
  return { id, vector: Float32Array.from(vector), cluster, metadata };
}

function requestsTo(method: string, path: string) {
  return fake.requests.filter((r) => r.method === method && r.path === path);
}

describe('OpenSearchVectorIndex', () => {
  beforeAll(async () => void (await fake.start()));
  afterAll(async () => fake.stop());
  beforeEach(() => {
    fake.reset();
    delays = [];
  });

  it('creates a generation index with knn enabled, a faiss HNSW knn_vector field and keyword fields', async () => {
    await makeIndex({ m: 24, efConstruction: 128, efSearch: 64 }).createGeneration('gen-1', { dimension: 3 });
    const [request] = requestsTo('PUT', '/img-gen-1');
    expect(JSON.parse(request?.body ?? '')).toEqual({
      settings: { index: { knn: true, 'knn.algo_param.ef_search': 64 } },
      mappings: {
        _meta: { format: 'opensearch-vector-index-generation', generation: 'gen-1', dimension: 3, complete: false },
        dynamic: 'strict',
        properties: {
          vector: { type: 'knn_vector', dimension: 3, method: { name: 'hnsw', engine: 'faiss', space_type: 'innerproduct', parameters: { m: 24, ef_construction: 128 } } },
          id: { type: 'keyword' },
          generation: { type: 'keyword' },
          cluster: { type: 'integer' },
          metadata: { type: 'object', dynamic: true },
        },
        dynamic_templates: [{ metadata_keywords: { path_match: 'metadata.*', match_mapping_type: 'string', mapping: { type: 'keyword' } } }],
      },
    });
  });

  it('uses the defaults m 16, ef_construction 100, ef_search 100 and a configurable space type', async () => {
    await makeIndex({ spaceType: 'cosinesimil' }).createGeneration('gen-1', { dimension: 2 });
    const body = JSON.parse(requestsTo('PUT', '/img-gen-1')[0]?.body ?? '');
    expect(body.settings.index['knn.algo_param.ef_search']).toBe(100);
    expect(body.mappings.properties.vector.method).toEqual({ name: 'hnsw', engine: 'faiss', space_type: 'cosinesimil', parameters: { m: 16, ef_construction: 100 } });
  });

  it('refuses to create a generation that exists, and names that OpenSearch would refuse', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    await expect(index.createGeneration('gen-1', { dimension: 2 })).rejects.toThrow(/generation "gen-1" already exists/);
    await expect(index.createGeneration('Gen-2', { dimension: 2 })).rejects.toThrow(/lowercase/);
    expect(() => makeIndex({ spaceType: 'dot' as never })).toThrow(/spaceType must be one of innerproduct, cosinesimil, l2/);
  });

  it('sends bulk NDJSON with an index action per record and unit-length vectors', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    const result = await index.upsert('gen-1', [record('a', [3, 4], 2, { style: 'comic' })]);
    expect(result).toEqual({ indexed: 1, failed: [] });
    const [bulk] = requestsTo('POST', '/_bulk');
    expect(bulk?.body).toBe(
      `${JSON.stringify({ index: { _index: 'img-gen-1', _id: 'a' } })}\n` +
        `${JSON.stringify({ id: 'a', generation: 'gen-1', cluster: 2, metadata: { style: 'comic' }, vector: [Math.fround(0.6), Math.fround(0.8)] })}\n`,
    );
  });

  it('splits bulk requests by record count and by bytes', () => {
    const records = Array.from({ length: 5 }, (_, i) => record(`r${i}`, [1, 0]));
    expect(bulkChunks('i', 'g', records, { maxDocs: 2, maxBytes: 1e9 }).map((c) => c.ids)).toEqual([['r0', 'r1'], ['r2', 'r3'], ['r4']]);
    const oneSize = bulkChunks('i', 'g', records.slice(0, 1), { maxDocs: 10, maxBytes: 1e9 })[0]?.bytes ?? 0;
    const byBytes = bulkChunks('i', 'g', records, { maxDocs: 100, maxBytes: oneSize * 2 + 1 });
    expect(byBytes.map((c) => c.ids.length)).toEqual([2, 2, 1]);
    expect(byBytes.every((c) => Buffer.byteLength(c.body) === c.bytes && c.bytes <= oneSize * 2 + 1)).toBe(true);
  });

  it('retries bulk items rejected with 429 once, then reports them; mapping errors are reported without a retry', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    fake.bulkItemFault = (id, attempt) => {
      if (id === 'busy-once' && attempt === 1) return { status: 429, type: 'es_rejected_execution_exception', reason: 'queue full' };
      if (id === 'busy') return { status: 429, type: 'es_rejected_execution_exception', reason: 'queue full' };
      if (id === 'bad') return { status: 400, type: 'mapper_parsing_exception', reason: 'bad field' };
      return undefined;
    };
    const result = await index.upsert('gen-1', [record('ok', [1, 0]), record('busy-once', [0, 1]), record('busy', [1, 1]), record('bad', [1, 2])]);
    expect(result.indexed).toBe(2);
    expect(result.failed).toEqual([
      { id: 'bad', reason: 'mapper_parsing_exception: bad field' },
      { id: 'busy', reason: 'es_rejected_execution_exception: queue full' },
    ]);
    const bulks = requestsTo('POST', '/_bulk');
    expect(bulks).toHaveLength(2);
    expect(bulks[1]?.body.split('\n').filter((l) => l.includes('"_id"')).map((l) => JSON.parse(l).index._id)).toEqual(['busy-once', 'busy']);
  });

  it('reports invalid records without sending them', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    const result = await index.upsert('gen-1', [record('short', [1]), record('zero', [0, 0]), record('ok', [1, 0])]);
    expect(result.indexed).toBe(1);
    expect(result.failed.map((f) => f.id)).toEqual(['short', 'zero']);
    expect(requestsTo('POST', '/_bulk')[0]?.body).not.toContain('short');
  });

  it('retries a request answered with 429 after a full-jitter backoff', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    fake.faults.push({ status: 429, body: { error: { type: 'too_many_requests' } } }, { status: 429, body: {} });
    expect(await index.upsert('gen-1', [record('a', [1, 0])])).toEqual({ indexed: 1, failed: [] });
    expect(delays).toEqual([50, 100]);
  });

  it('gives up after the configured attempts and says which request failed', async () => {
    const index = makeIndex({ retry: { ...retry, maxAttempts: 2 } });
    fake.faults.push({ status: 429, body: { error: { type: 'too_many_requests', reason: 'slow' } } }, { status: 429, body: { error: { type: 'too_many_requests', reason: 'slow' } } });
    await expect(index.listGenerations()).rejects.toThrow(/OpenSearch GET \/img-\*\/_mapping failed with status 429: too_many_requests: slow/);
  });

  it('finalize refreshes, counts and records completion in the mapping _meta', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    await index.upsert('gen-1', [record('a', [1, 0]), record('b', [0, 1])]);
    expect(await index.finalize('gen-1')).toEqual({ generation: 'gen-1', count: 2, complete: true });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`).slice(-4)).toEqual([
      'GET /img-gen-1/_mapping', 'POST /img-gen-1/_refresh', 'GET /img-gen-1/_count', 'PUT /img-gen-1/_mapping',
    ]);
    expect(JSON.parse(requestsTo('PUT', '/img-gen-1/_mapping')[0]?.body ?? '')._meta).toMatchObject({ complete: true, count: 2 });
    await expect(index.upsert('gen-1', [record('c', [1, 1])])).rejects.toThrow(/finalized and read-only/);
  });

  it('sends a knn query with k, size and the filter inside the knn clause, excluding the vector from _source', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    await index.finalize('gen-1');
    await index.search({ generation: 'gen-1' }, Float32Array.from([0, 2]), { k: 5, filter: { cluster: [1, 3], style: ['comic'] } });
    expect(JSON.parse(requestsTo('POST', '/img-gen-1/_search')[0]?.body ?? '')).toEqual({
      size: 5,
      _source: { excludes: ['vector'] },
      query: {
        knn: {
          vector: {
            vector: [0, 1],
            k: 5,
            filter: { bool: { filter: [{ terms: { cluster: [1, 3] } }, { terms: { 'metadata.style': ['comic'] } }] } },
          },
        },
      },
    });
  });

  it('searches through the alias name and turns a missing alias into NoIndexError', async () => {
    const index = makeIndex();
    await expect(index.search({ alias: 'images' }, Float32Array.from([1, 0]), { k: 1 })).rejects.toBeInstanceOf(NoIndexError);
    expect(requestsTo('POST', '/images/_search')).toHaveLength(1);
    await expect(index.search({ generation: 'nope' }, Float32Array.from([1, 0]), { k: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('turns a dimension mismatch reported by OpenSearch into a ValidationError', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    await index.finalize('gen-1');
    await expect(index.search({ generation: 'gen-1' }, Float32Array.from([1, 0, 0]), { k: 1 })).rejects.toThrow(ValidationError);
  });

  it('swaps an alias with ONE _aliases call holding remove and add', async () => {
    const index = makeIndex();
    for (const g of ['gen-1', 'gen-2']) {
      await index.createGeneration(g, { dimension: 2 });
      await index.finalize(g);
    }
    expect(await index.swapAlias('images', 'gen-1')).toEqual({ previous: undefined });
    expect(JSON.parse(requestsTo('POST', '/_aliases')[0]?.body ?? '')).toEqual({ actions: [{ add: { index: 'img-gen-1', alias: 'images' } }] });
    expect(await index.swapAlias('images', 'gen-2')).toEqual({ previous: 'gen-1' });
    const calls = requestsTo('POST', '/_aliases');
    expect(calls).toHaveLength(2);
    expect(JSON.parse(calls[1]?.body ?? '')).toEqual({
      actions: [{ remove: { index: 'img-gen-1', alias: 'images' } }, { add: { index: 'img-gen-2', alias: 'images' } }],
    });
    expect(await index.resolveAlias('images')).toBe('gen-2');
  });

  it('keeps the old alias when a concurrent swap moved it in between (the remove fails, nothing changes)', async () => {
    const index = makeIndex();
    for (const g of ['gen-1', 'gen-2', 'gen-3']) {
      await index.createGeneration(g, { dimension: 2 });
      await index.finalize(g);
    }
    await index.swapAlias('images', 'gen-1');
    // Another process moves the alias to gen-3 right after this one has read it.
    fake.afterRequest = (request) => {
      if (request.method === 'GET' && request.path === '/_alias/images') fake.aliases.set('images', 'img-gen-3');
    };
    await expect(index.swapAlias('images', 'gen-2')).rejects.toThrow(/aliases_not_found_exception/);
    expect(fake.aliases.get('images')).toBe('img-gen-3');
  });

  it('refuses to alias a generation that is not finalized', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-1', { dimension: 2 });
    await expect(index.swapAlias('images', 'gen-1')).rejects.toThrow(/not finalized/);
    expect(requestsTo('POST', '/_aliases')).toHaveLength(0);
  });

  it('lists generations under its prefix only, with completion and count', async () => {
    const index = makeIndex();
    await index.createGeneration('gen-2', { dimension: 2 });
    await index.createGeneration('gen-1', { dimension: 2 });
    await index.upsert('gen-1', [record('a', [1, 0])]);
    await index.finalize('gen-1');
    await makeIndex({ indexPrefix: 'other-' }).createGeneration('gen-9', { dimension: 2 });
    expect(await index.listGenerations()).toEqual([
      { generation: 'gen-1', count: 1, complete: true },
      { generation: 'gen-2', count: 0, complete: false },
    ]);
    expect(requestsTo('GET', '/img-*/_mapping')).toHaveLength(1);
  });

  it('refuses to delete the aliased generation and deletes others', async () => {
    const index = makeIndex();
    for (const g of ['gen-1', 'gen-2']) {
      await index.createGeneration(g, { dimension: 2 });
      await index.finalize(g);
    }
    await index.swapAlias('images', 'gen-1');
    await expect(index.deleteGeneration('gen-1')).rejects.toThrow(/in use by alias "images"/);
    await index.deleteGeneration('gen-2');
    expect(requestsTo('DELETE', '/img-gen-2')).toHaveLength(1);
    await expect(index.deleteGeneration('gen-2')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deleteGenerationsBeyond keeps the newest ones and never the aliased one', async () => {
    const index = makeIndex();
    for (const g of ['gen-1', 'gen-2', 'gen-3', 'gen-4', 'gen-5']) {
      await index.createGeneration(g, { dimension: 2 });
      await index.finalize(g);
    }
    await index.swapAlias('images', 'gen-2');
    expect(await index.deleteGenerationsBeyond(2)).toEqual(['gen-3', 'gen-1']);
    expect((await index.listGenerations()).map((g) => g.generation)).toEqual(['gen-2', 'gen-4', 'gen-5']);
    expect(await index.deleteGenerationsBeyond(0)).toEqual(['gen-5', 'gen-4']);
    await expect(index.deleteGenerationsBeyond(-1)).rejects.toThrow(/retain must be an integer >= 0/);
  });

  it('converts each space type\'s score back to the cosine', () => {
    for (const spaceType of ['innerproduct', 'cosinesimil', 'l2'] as const) {
      for (const cosine of [-0.9, -0.25, 0, 0.3, 0.99, 1]) expect(scoreToCosine(cosineToScore(cosine, spaceType), spaceType)).toBeCloseTo(cosine, 10);
    }
    expect(scoreToCosine(1.5, 'innerproduct')).toBeCloseTo(0.5);
    expect(scoreToCosine(0.5, 'innerproduct')).toBeCloseTo(-1);
    expect(scoreToCosine(0.75, 'cosinesimil')).toBeCloseTo(0.5);
    expect(scoreToCosine(0.5, 'l2')).toBeCloseTo(0.5);
  });

  it('validates k and the query vector before sending', () => {
    expect(() => knnQueryBody(Float32Array.from([1]), 0)).toThrow(/k must be an integer from 1 to 10000/);
    expect(() => knnQueryBody(Float32Array.from([0, 0]), 1)).toThrow(/all zeros/);
    expect(() => knnQueryBody(Float32Array.from([1]), 1, { cluster: ['x'] })).toThrow(/integer ids/);
  });
});
