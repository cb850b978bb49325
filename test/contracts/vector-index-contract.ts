/** The behaviour every VectorIndex adapter must share; run it against each adapter with `vectorIndexContract`. */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { NoIndexError, NotFoundError, ValidationError } from '../../core/errors';
import { createRandom } from '../../core/random';
import type { IndexRecord, VectorIndex } from '../../core/ports/vector-index';

export interface IndexUnderTest {
  readonly index: VectorIndex;
  readonly cleanup: () => Promise<void>;
}

export const DIMENSION = 8;

/** 40 seeded random records in 4 clusters with a style per record. */
export function contractRecords(seed = 11, count = 40): IndexRecord[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `img-${String(i).padStart(3, '0')}`,
    vector: Float32Array.from({ length: DIMENSION }, () => random.normal()),
    cluster: i % 4,
    metadata: { style: i % 3 === 0 ? 'comic' : 'photo', subject: `s${i % 5}` },
  }));
}

export function contractQuery(seed = 99): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: DIMENSION }, () => random.normal());
}

async function built(index: VectorIndex, generation: string, records = contractRecords()): Promise<void> {
  await index.createGeneration(generation, { dimension: DIMENSION });
  await index.upsert(generation, records);
  await index.finalize(generation);
}

export function vectorIndexContract(name: string, make: () => Promise<IndexUnderTest>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let subject: IndexUnderTest;
    let index: VectorIndex;
    beforeEach(async () => {
      subject = await make();
      index = subject.index;
    });
    afterEach(async () => subject.cleanup());

    it('returns the k nearest records, best first, with cosine similarity, cluster and metadata', async () => {
      await built(index, 'gen-a');
      const hits = await index.search({ generation: 'gen-a' }, contractQuery(), { k: 5 });
      expect(hits).toHaveLength(5);
      for (const hit of hits) {
        expect(Object.keys(hit).sort()).toEqual(['cluster', 'id', 'metadata', 'similarity']);
        expect(hit.similarity).toBeGreaterThanOrEqual(-1);
        expect(hit.similarity).toBeLessThanOrEqual(1);
      }
      expect(hits.map((h) => h.similarity)).toEqual([...hits.map((h) => h.similarity)].sort((a, b) => b - a));
      const top = contractRecords().find((r) => r.id === hits[0]?.id);
      expect(hits[0]?.cluster).toBe(top?.cluster);
      expect(hits[0]?.metadata).toEqual(top?.metadata);
    });

    it('finds a stored vector itself first with similarity 1', async () => {
      await built(index, 'gen-a');
      const record = contractRecords()[7] as IndexRecord;
      const [hit] = await index.search({ generation: 'gen-a' }, record.vector, { k: 1 });
      expect(hit?.id).toBe(record.id);
      expect(hit?.similarity).toBeCloseTo(1, 5);
    });

    it('applies cluster and metadata filters', async () => {
      await built(index, 'gen-a');
      const hits = await index.search({ generation: 'gen-a' }, contractQuery(), { k: 40, filter: { cluster: [1, 2], style: ['comic'] } });
      const expected = contractRecords().filter((r) => [1, 2].includes(r.cluster) && r.metadata.style === 'comic');
      expect(hits.map((h) => h.id).sort()).toEqual(expected.map((r) => r.id).sort());
    });

    it('reports invalid records in `failed` and indexes the rest', async () => {
      await index.createGeneration('gen-a', { dimension: DIMENSION });
      const [good] = contractRecords();
      const result = await index.upsert('gen-a', [good as IndexRecord, { ...(good as IndexRecord), id: 'short', vector: new Float32Array(3) }]);
      expect(result.indexed).toBe(1);
      expect(result.failed.map((f) => f.id)).toEqual(['short']);
      expect((await index.finalize('gen-a')).count).toBe(1);
    });

    it('refuses a second generation of the same name', async () => {
      await index.createGeneration('gen-a', { dimension: DIMENSION });
      await expect(index.createGeneration('gen-a', { dimension: DIMENSION })).rejects.toBeInstanceOf(ValidationError);
    });

    it('points an alias at a finalized generation, returns the previous one and searches through it', async () => {
      await built(index, 'gen-a');
      await built(index, 'gen-b', contractRecords(12));
      expect(await index.resolveAlias('images')).toBeUndefined();
      expect(await index.swapAlias('images', 'gen-a')).toEqual({ previous: undefined });
      expect(await index.swapAlias('images', 'gen-b')).toEqual({ previous: 'gen-a' });
      expect(await index.resolveAlias('images')).toBe('gen-b');
      const viaAlias = await index.search({ alias: 'images' }, contractQuery(), { k: 3 });
      expect(viaAlias).toEqual(await index.search({ generation: 'gen-b' }, contractQuery(), { k: 3 }));
    });

    it('refuses to alias an unfinalized generation, and a missing alias is NoIndexError', async () => {
      await index.createGeneration('gen-a', { dimension: DIMENSION });
      await expect(index.swapAlias('images', 'gen-a')).rejects.toBeInstanceOf(ValidationError);
      await expect(index.search({ alias: 'images' }, contractQuery(), { k: 1 })).rejects.toBeInstanceOf(NoIndexError);
    });

    it('lists generations sorted by name with count and completion', async () => {
      await built(index, 'gen-b');
      await index.createGeneration('gen-a', { dimension: DIMENSION });
      expect(await index.listGenerations()).toEqual([
        { generation: 'gen-a', count: 0, complete: false },
        { generation: 'gen-b', count: 40, complete: true },
      ]);
    });

    it('refuses to delete the aliased generation, deletes another, and NotFoundError for a missing one', async () => {
      await built(index, 'gen-a');
      await built(index, 'gen-b');
      await index.swapAlias('images', 'gen-a');
      await expect(index.deleteGeneration('gen-a')).rejects.toThrow(/in use by alias "images"/);
      await index.deleteGeneration('gen-b');
      expect((await index.listGenerations()).map((g) => g.generation)).toEqual(['gen-a']);
      await expect(index.deleteGeneration('gen-b')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses k outside 1..10000', async () => {
      await built(index, 'gen-a');
      await expect(index.search({ generation: 'gen-a' }, contractQuery(), { k: 0 })).rejects.toThrow(/k must be an integer from 1 to 10000/);
    });
  });
}
