import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalVectorIndex } from '../../core/local/hnsw-vector-index';
import { OpenSearchVectorIndex } from '../../core/aws/opensearch-vector-index';
import { FakeOpenSearch } from '../core/aws/fake-opensearch';
import { contractQuery, contractRecords, DIMENSION, vectorIndexContract } from './vector-index-contract';
import type { VectorIndex } from '../../core/ports/vector-index';

const fake = new FakeOpenSearch();
beforeAll(async () => void (await fake.start()));
afterAll(async () => fake.stop());

async function localIndex() {
  const root = await mkdtemp(join(tmpdir(), 'vector-index-contract-'));
  return { index: new LocalVectorIndex({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
}

async function openSearchIndex(spaceType: 'innerproduct' | 'cosinesimil' | 'l2' = 'innerproduct') {
  fake.reset();
  return { index: new OpenSearchVectorIndex({ client: fake.client(), indexPrefix: 'contract-', spaceType }), cleanup: async () => fake.reset() };
}

vectorIndexContract('LocalVectorIndex', localIndex);
vectorIndexContract('OpenSearchVectorIndex over a loopback fake (innerproduct)', () => openSearchIndex('innerproduct'));
vectorIndexContract('OpenSearchVectorIndex over a loopback fake (cosinesimil)', () => openSearchIndex('cosinesimil'));

describe('local and OpenSearch parity', () => {
  it.each(['innerproduct', 'cosinesimil', 'l2'] as const)('gives the same ids, order and similarities for the same vectors (%s)', async (spaceType) => {
    const local = await localIndex();
    const remote = await openSearchIndex(spaceType);
    try {
      const results = [];
      for (const index of [local.index, remote.index] as VectorIndex[]) {
        await index.createGeneration('gen-p', { dimension: DIMENSION });
        await index.upsert('gen-p', contractRecords(5, 60));
        await index.finalize('gen-p');
        results.push(await index.search({ generation: 'gen-p' }, contractQuery(3), { k: 10, filter: { style: ['photo'] } }));
      }
      const [fromLocal, fromOpenSearch] = results;
      expect(fromOpenSearch?.map((h) => h.id)).toEqual(fromLocal?.map((h) => h.id));
      expect(fromOpenSearch?.map((h) => [h.cluster, h.metadata])).toEqual(fromLocal?.map((h) => [h.cluster, h.metadata]));
      fromOpenSearch?.forEach((hit, i) => expect(hit.similarity).toBeCloseTo(fromLocal?.[i]?.similarity ?? NaN, 5));
    } finally {
      await local.cleanup();
      await remote.cleanup();
    }
  });
});
