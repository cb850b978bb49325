import { describe, expect, it } from 'vitest';
import { DelayedRanker, sequentialPersonalizedSearch } from '../../bench/sequential-search';
import { personalizedSearch, type SearchComponents, type SearchGeneration } from '../../core/personalized-search';
import type { Embedder } from '../../core/ports/embedder';
import type { Ranker } from '../../core/ports/ranker';
import type { SearchHit, VectorIndex } from '../../core/ports/vector-index';

const generation: SearchGeneration = { generation: 'g1', clusterGeneration: 'g1', clusterCount: 3 };
const hits: SearchHit[] = [
  { id: 'a', similarity: 0.9, cluster: 0, metadata: {} },
  { id: 'b', similarity: 0.8, cluster: 1, metadata: {} },
  { id: 'c', similarity: 0.7, cluster: 2, metadata: {} },
];

function components(order: string[]): SearchComponents {
  const embedder = {
    dimension: 2,
    modelVersion: 'fake',
    embedImages: () => Promise.reject(new Error('not used')),
    embedText: async () => [new Float32Array([1, 0])],
  } as Embedder;
  const index = { search: async () => (order.push('knn'), hits) } as unknown as VectorIndex;
  return {
    embedder,
    index,
    preferences: async () => (order.push('preferences'), new Map([[2, 1]])),
  };
}

describe('sequentialPersonalizedSearch', () => {
  it('returns exactly what the product’s parallel search returns, so the timing comparison is like for like', async () => {
    const query = { text: 'cat', userId: 'u1', k: 3, weight: 0.8 };
    const parallel = await personalizedSearch(components([]), generation, query);
    const sequential = await sequentialPersonalizedSearch(components([]), generation, query);
    expect(sequential).toEqual(parallel);
    expect(sequential.results[0]?.id).toBe('c');
  });

  it('asks for preferences only after the k-NN call, where the product asks first', async () => {
    const sequential: string[] = [];
    const parallel: string[] = [];
    await sequentialPersonalizedSearch(components(sequential), generation, { text: 'cat', userId: 'u1', k: 3, weight: 0.5 });
    await personalizedSearch(components(parallel), generation, { text: 'cat', userId: 'u1', k: 3, weight: 0.5 });
    expect(sequential).toEqual(['knn', 'preferences']);
    expect(parallel).toEqual(['preferences', 'knn']);
  });

  it('skips the lookup for an anonymous user', async () => {
    const order: string[] = [];
    const result = await sequentialPersonalizedSearch(components(order), generation, { text: 'cat', k: 3, weight: 0.5 });
    expect(order).toEqual(['knn']);
    expect(result.personalized).toBe(false);
  });
});

describe('DelayedRanker', () => {
  it('passes rank and putEvents through to the wrapped ranker', async () => {
    const calls: string[] = [];
    const inner: Ranker = {
      rank: async (r) => (calls.push(`rank ${r.userId}`), [{ itemId: 'x', score: 1 }]),
      putEvents: async (r) => void calls.push(`events ${r.userId}`),
    };
    const ranker = new DelayedRanker(inner, 0);
    expect(await ranker.rank({ userId: 'u', inputList: ['x'] })).toEqual([{ itemId: 'x', score: 1 }]);
    await ranker.putEvents({ userId: 'u', sessionId: 's', events: [] });
    expect(calls).toEqual(['rank u', 'events u']);
  });
});
