import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, readdir, rm, writeFile, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalVectorIndex } from '../../../core/local/hnsw-vector-index';
import { DimensionMismatchError, NoIndexError, NotFoundError, ValidationError } from '../../../core/errors';
import type { IndexRecord, SearchFilter } from '../../../core/ports/vector-index';
import { dot } from '../../../core/vector-math';
import { clusteredVectors } from '../../fixtures/clustered-vectors';

const DIM = 64;

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vector-index-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let rootCounter = 0;
function freshRoot(): string {
  return join(scratch, `root-${rootCounter++}`);
}

function recordsFrom(vectors: Float32Array[], labels: number[]): IndexRecord[] {
  return vectors.map((vector, i) => ({
    id: `img-${i}`,
    vector,
    cluster: labels[i] as number,
    metadata: { style: `style-${i % 4}`, subject: `subject-${i % 10}`, rare: i % 100 === 0 ? 'yes' : 'no' },
  }));
}

/** The reference answer: score every record, optionally filtered, and sort. */
function bruteForce(records: IndexRecord[], query: Float32Array, k: number, keep: (r: IndexRecord) => boolean = () => true): string[] {
  return records
    .filter(keep)
    .map((r) => ({ id: r.id, s: dot(r.vector, query) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

async function build(index: LocalVectorIndex, generation: string, records: IndexRecord[]): Promise<void> {
  await index.createGeneration(generation, { dimension: DIM });
  for (let i = 0; i < records.length; i += 500) {
    const result = await index.upsert(generation, records.slice(i, i + 500));
    expect(result.failed).toEqual([]);
  }
  await index.finalize(generation);
}

describe('LocalVectorIndex search', () => {
  const data = clusteredVectors({ count: 3000, dimension: DIM, clusters: 30, seed: 11, spread: 0.6 });
  const records = recordsFrom(data.vectors, data.labels);
  const queries = clusteredVectors({ count: 100, dimension: DIM, clusters: 30, seed: 11, spread: 0.9 }).vectors;
  let root: string;
  let index: LocalVectorIndex;

  beforeAll(async () => {
    root = freshRoot();
    index = new LocalVectorIndex({ root });
    await build(index, 'g1', records);
  });

  it('builds a graph for a generation above the exact threshold', async () => {
    expect((await stat(join(root, 'generations', 'g1', 'hnsw.bin'))).size).toBeGreaterThan(0);
  });

  it('reaches recall@10 >= 0.98 against brute force with HNSW', async () => {
    let found = 0;
    for (const query of queries) {
      const truth = new Set(bruteForce(records, query, 10));
      const hits = await index.search({ generation: 'g1' }, query, { k: 10 });
      expect(hits).toHaveLength(10);
      found += hits.filter((h) => truth.has(h.id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.98);
  });

  it('reports cosine similarity, best first, with the stored cluster and metadata', async () => {
    const query = queries[0] as Float32Array;
    const hits = await index.search({ generation: 'g1' }, query, { k: 5 });
    for (const hit of hits) {
      const record = records.find((r) => r.id === hit.id) as IndexRecord;
      expect(hit.similarity).toBeCloseTo(dot(record.vector, query), 5);
      expect(hit.cluster).toBe(record.cluster);
      expect(hit.metadata).toEqual(record.metadata);
    }
    const sims = hits.map((h) => h.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
  });

  it('returns k hits that all match a metadata filter, through the graph', async () => {
    // style-0 matches 750 rows: above the threshold, so the graph with a filter callback answers.
    const filter: SearchFilter = { style: ['style-0'] };
    for (const query of queries.slice(0, 20)) {
      const hits = await index.search({ generation: 'g1' }, query, { k: 10, filter });
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => h.metadata.style === 'style-0')).toBe(true);
    }
  });

  it('returns the exact filtered top k under a selective filter', async () => {
    // 30 rows have rare=yes and cluster 0 or 10 or 20; a graph walk would miss many of them.
    const filter: SearchFilter = { rare: ['yes'], cluster: [0, 10, 20] };
    const keep = (r: IndexRecord): boolean => r.metadata.rare === 'yes' && [0, 10, 20].includes(r.cluster);
    const query = queries[3] as Float32Array;
    const hits = await index.search({ generation: 'g1' }, query, { k: 5, filter });
    expect(hits.map((h) => h.id)).toEqual(bruteForce(records, query, 5, keep));
  });

  it('returns every matching record when fewer than k match', async () => {
    const hits = await index.search({ generation: 'g1' }, queries[0] as Float32Array, { k: 10, filter: { cluster: [3], rare: ['yes'] } });
    expect(hits.length).toBe(records.filter((r) => r.cluster === 3 && r.metadata.rare === 'yes').length);
    expect(hits.length).toBeLessThan(10);
  });

  it('returns nothing for a filter no record matches', async () => {
    expect(await index.search({ generation: 'g1' }, queries[0] as Float32Array, { k: 10, filter: { style: ['nope'] } })).toEqual([]);
  });

  it('finds the same results from a new instance over the same root', async () => {
    const reopened = new LocalVectorIndex({ root });
    for (const query of queries.slice(0, 10)) {
      const before = await index.search({ generation: 'g1' }, query, { k: 10 });
      const after = await reopened.search({ generation: 'g1' }, query, { k: 10 });
      expect(after).toEqual(before);
    }
  });

  it('answers exactly by brute force when the generation is below the threshold', async () => {
    const small = new LocalVectorIndex({ root: freshRoot(), exactThreshold: 1000 });
    const subset = records.slice(0, 800);
    await build(small, 'small', subset);
    for (const query of queries.slice(0, 20)) {
      const hits = await small.search({ generation: 'small' }, query, { k: 10 });
      expect(hits.map((h) => h.id)).toEqual(bruteForce(subset, query, 10));
    }
  });
});

describe('LocalVectorIndex upsert and finalize', () => {
  const data = clusteredVectors({ count: 40, dimension: DIM, clusters: 4, seed: 5 });
  const records = recordsFrom(data.vectors, data.labels);

  it('replaces a record upserted twice', async () => {
    const index = new LocalVectorIndex({ root: freshRoot() });
    await index.createGeneration('g', { dimension: DIM });
    await index.upsert('g', records);
    const moved = { ...(records[0] as IndexRecord), vector: records[39]?.vector as Float32Array, metadata: { style: 'new' } };
    await index.upsert('g', [moved]);
    expect(await index.finalize('g')).toEqual({ generation: 'g', count: 40, complete: true });
    const hits = await index.search({ generation: 'g' }, records[39]?.vector as Float32Array, { k: 2, filter: { style: ['new'] } });
    expect(hits.map((h) => h.id)).toEqual(['img-0']);
    expect(hits[0]?.similarity).toBeCloseTo(1, 5);
  });

  it('reports invalid records as failed and indexes the rest', async () => {
    const index = new LocalVectorIndex({ root: freshRoot() });
    await index.createGeneration('g', { dimension: DIM });
    const bad: IndexRecord[] = [
      { id: 'short', vector: new Float32Array(DIM - 1).fill(1), cluster: 0, metadata: {} },
      { id: 'nan', vector: new Float32Array(DIM).fill(Number.NaN), cluster: 0, metadata: {} },
      { id: 'zero', vector: new Float32Array(DIM), cluster: 0, metadata: {} },
    ];
    const result = await index.upsert('g', [...bad, records[0] as IndexRecord]);
    expect(result.indexed).toBe(1);
    expect(result.failed.map((f) => f.id)).toEqual(['short', 'nan', 'zero']);
    expect(result.failed[0]?.reason).toMatch(/dimension 63, expected 64/);
  });

  it('keeps every record of concurrent upserts', async () => {
    const index = new LocalVectorIndex({ root: freshRoot() });
    await index.createGeneration('g', { dimension: DIM });
    await Promise.all(records.map((r) => index.upsert('g', [r])));
    expect((await index.finalize('g')).count).toBe(40);
    const hits = await index.search({ generation: 'g' }, records[7]?.vector as Float32Array, { k: 1 });
    expect(hits[0]?.id).toBe('img-7');
  });

  it('finalizes a generation whose records another instance upserted', async () => {
    const root = freshRoot();
    const writer = new LocalVectorIndex({ root });
    await writer.createGeneration('g', { dimension: DIM });
    await writer.upsert('g', records);
    const finisher = new LocalVectorIndex({ root });
    expect((await finisher.finalize('g')).count).toBe(40);
    expect(await finisher.finalize('g')).toEqual({ generation: 'g', count: 40, complete: true });
  });

  it('refuses upserts into a finalized generation and a second createGeneration of a name', async () => {
    const index = new LocalVectorIndex({ root: freshRoot() });
    await index.createGeneration('g', { dimension: DIM });
    await index.finalize('g');
    await expect(index.upsert('g', records)).rejects.toThrow(/finalized and read-only/);
    await expect(index.createGeneration('g', { dimension: DIM })).rejects.toThrow(/already exists/);
  });

  it('rejects generation names that could escape the root', async () => {
    const index = new LocalVectorIndex({ root: freshRoot() });
    for (const name of ['../evil', 'a/b', '', '.hidden']) {
      await expect(index.createGeneration(name, { dimension: DIM })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe('LocalVectorIndex validation', () => {
  const data = clusteredVectors({ count: 20, dimension: DIM, clusters: 2, seed: 3 });
  let index: LocalVectorIndex;
  beforeAll(async () => {
    index = new LocalVectorIndex({ root: freshRoot() });
    await build(index, 'g', recordsFrom(data.vectors, data.labels));
    await index.createGeneration('open', { dimension: DIM });
  });
  const query = (): Float32Array => data.vectors[0] as Float32Array;

  it('throws DimensionMismatchError naming expected and actual dimension', async () => {
    const error = await index.search({ generation: 'g' }, new Float32Array(10).fill(1), { k: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DimensionMismatchError);
    expect(error).toMatchObject({ expected: DIM, actual: 10 });
  });

  it('throws NoIndexError for an alias that was never set', async () => {
    await expect(index.search({ alias: 'live' }, query(), { k: 1 })).rejects.toBeInstanceOf(NoIndexError);
  });

  it('rejects k that is not a positive integer', async () => {
    for (const k of [0, -1, 1.5, Number.NaN]) {
      await expect(index.search({ generation: 'g' }, query(), { k })).rejects.toThrow(/k must be an integer/);
    }
  });

  it('rejects a non-finite query vector', async () => {
    const bad = new Float32Array(DIM).fill(0.1);
    bad[5] = Number.POSITIVE_INFINITY;
    await expect(index.search({ generation: 'g' }, bad, { k: 1 })).rejects.toThrow(/NaN or infinite/);
  });

  it('refuses to search an unknown or unfinalized generation', async () => {
    await expect(index.search({ generation: 'nope' }, query(), { k: 1 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(index.search({ generation: 'open' }, query(), { k: 1 })).rejects.toThrow(/not finalized/);
  });
});

describe('LocalVectorIndex aliases and generations', () => {
  const a = clusteredVectors({ count: 30, dimension: DIM, clusters: 3, seed: 1 });
  const b = clusteredVectors({ count: 30, dimension: DIM, clusters: 3, seed: 2 });
  const recordsA = recordsFrom(a.vectors, a.labels);
  const recordsB = recordsFrom(b.vectors, b.labels).map((r) => ({ ...r, id: `b-${r.id}` }));

  async function twoGenerations(): Promise<{ root: string; index: LocalVectorIndex }> {
    const root = freshRoot();
    const index = new LocalVectorIndex({ root });
    await build(index, 'gen-a', recordsA);
    await build(index, 'gen-b', recordsB);
    return { root, index };
  }

  it('swaps an alias and returns the generation it pointed at before', async () => {
    const { index } = await twoGenerations();
    expect(await index.swapAlias('live', 'gen-a')).toEqual({ previous: undefined });
    expect(await index.swapAlias('live', 'gen-b')).toEqual({ previous: 'gen-a' });
    expect(await index.resolveAlias('live')).toBe('gen-b');
  });

  it('lets a running reader see the new alias target without a restart', async () => {
    const { root, index } = await twoGenerations();
    const reader = new LocalVectorIndex({ root });
    await index.swapAlias('live', 'gen-a');
    const q = b.vectors[0] as Float32Array;
    expect((await reader.search({ alias: 'live' }, q, { k: 1 }))[0]?.id).toMatch(/^img-/);
    await index.swapAlias('live', 'gen-b');
    expect((await reader.search({ alias: 'live' }, q, { k: 1 }))[0]?.id).toBe('b-img-0');
  });

  it('refuses to alias an unfinalized or unknown generation', async () => {
    const { index } = await twoGenerations();
    await index.createGeneration('half', { dimension: DIM });
    await index.upsert('half', recordsA);
    await expect(index.swapAlias('live', 'half')).rejects.toThrow(/not finalized/);
    await expect(index.swapAlias('live', 'missing')).rejects.toBeInstanceOf(NotFoundError);
    expect(await index.resolveAlias('live')).toBeUndefined();
  });

  it('keeps the old alias target after a crash mid-build and mid-swap', async () => {
    const { root, index } = await twoGenerations();
    await index.swapAlias('live', 'gen-a');
    // A crashed run: a generation with data files but no complete meta, and a half-written alias temp file.
    await index.createGeneration('crashed', { dimension: DIM });
    await index.upsert('crashed', recordsB);
    await writeFile(join(root, 'generations', 'crashed', 'vectors.f32'), new Uint8Array(100));
    await writeFile(join(root, 'aliases', '.live.json.tmp-999-0123456789ab'), '{"alias":"live","gener');
    const reopened = new LocalVectorIndex({ root });
    expect(await reopened.resolveAlias('live')).toBe('gen-a');
    const hits = await reopened.search({ alias: 'live' }, a.vectors[0] as Float32Array, { k: 1 });
    expect(hits[0]?.id).toBe('img-0');
    await expect(reopened.swapAlias('live', 'crashed')).rejects.toThrow(/not finalized/);
    expect(await reopened.listGenerations()).toContainEqual({ generation: 'crashed', count: 0, complete: false });
  });

  it('leaves only the alias file behind after a swap', async () => {
    const { root, index } = await twoGenerations();
    await index.swapAlias('live', 'gen-a');
    await index.swapAlias('live', 'gen-b');
    expect(await readdir(join(root, 'aliases'))).toEqual(['live.json']);
  });

  it('refuses to delete a generation an alias points at and deletes the others', async () => {
    const { index } = await twoGenerations();
    await index.swapAlias('live', 'gen-a');
    await expect(index.deleteGeneration('gen-a')).rejects.toThrow(/in use by alias "live"/);
    await index.deleteGeneration('gen-b');
    expect((await index.listGenerations()).map((g) => g.generation)).toEqual(['gen-a']);
    await expect(index.deleteGeneration('gen-b')).rejects.toBeInstanceOf(NotFoundError);
    await expect(index.search({ generation: 'gen-b' }, a.vectors[0] as Float32Array, { k: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a generation folder left without meta by a crash as incomplete', async () => {
    const { root, index } = await twoGenerations();
    await mkdir(join(root, 'generations', 'torn'));
    expect(await index.listGenerations()).toEqual([
      { generation: 'gen-a', count: 30, complete: true },
      { generation: 'gen-b', count: 30, complete: true },
      { generation: 'torn', count: 0, complete: false },
    ]);
  });
});
