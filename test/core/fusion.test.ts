import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { explain, rerank } from '../../core/fusion';
import type { FusionCandidate, FusionStrategy } from '../../core/fusion';

const candidate = (id: string, similarity: number, cluster: number): FusionCandidate => ({ id, similarity, cluster, metadata: { subject: 'cat' } });
// simNorm: a 1, b 0.75, c 0.5, d 0
const candidates = [candidate('a', 0.9, 1), candidate('b', 0.8, 2), candidate('c', 0.7, 3), candidate('d', 0.5, 2)];
// prefNorm: cluster 1 -> 0, cluster 2 -> 1, cluster 3 -> 0.4
const preferences = new Map([
  [1, 0.1],
  [2, 0.6],
  [3, 0.3],
]);
const ids = (results: { id: string }[]): string[] => results.map((r) => r.id);

describe('rerank', () => {
  it('weighted mean blends min-max normalised similarity and preference', () => {
    const results = rerank(candidates, preferences, { strategy: 'weighted-mean', weight: 0.3 });
    // a 0.7, b 0.825, c 0.47, d 0.3
    expect(ids(results)).toEqual(['b', 'a', 'c', 'd']);
    expect(results.map((r) => r.score)).toEqual([0.7 * 0.75 + 0.3, 0.7, 0.7 * 0.5 + 0.3 * 0.4, 0.3].map((v) => expect.closeTo(v, 12)));
    expect(results[0]).toMatchObject({ id: 'b', similarity: 0.8, similarityNorm: expect.closeTo(0.75, 12), preference: 1, baselineRank: 2, rank: 1, metadata: { subject: 'cat' } });
  });

  it('breaks score ties by the similarity order', () => {
    // w 0.5: a 0.5, b 0.875, c 0.45, d 0.5 -> a and d tie, a was ahead
    expect(ids(rerank(candidates, preferences, { strategy: 'weighted-mean', weight: 0.5 }))).toEqual(['b', 'a', 'd', 'c']);
  });

  it('rank fusion scores (1-w)/log2(osRank+1) + w/log2(pRank+1) with dense cluster ranks', () => {
    const results = rerank(candidates, preferences, { strategy: 'rank-fusion', weight: 0.3 });
    // pRank: cluster 2 -> 1, cluster 3 -> 2, cluster 1 -> 3
    const expected: Record<string, number> = {
      a: 0.7 / 1 + 0.3 / 2,
      b: 0.7 / Math.log2(3) + 0.3 / 1,
      c: 0.7 / 2 + 0.3 / Math.log2(3),
      d: 0.7 / Math.log2(5) + 0.3 / 1,
    };
    expect(ids(results)).toEqual(['a', 'b', 'd', 'c']);
    for (const r of results) expect(r.score).toBeCloseTo(expected[r.id] as number, 12);
  });

  it('replace lets the preference order win and similarity break ties', () => {
    expect(ids(rerank(candidates, preferences, { strategy: 'replace', weight: 0.2 }))).toEqual(['b', 'd', 'c', 'a']);
  });

  it('gives a cluster without a preference 0, and equal preferences 1', () => {
    const results = rerank(candidates, new Map([[2, 0.6]]), { weight: 0.5 });
    expect(Object.fromEntries(results.map((r) => [r.id, r.preference]))).toEqual({ a: 0, b: 1, c: 0, d: 1 });
    expect(ids(results)).toEqual(['b', 'a', 'd', 'c']);
  });

  it.each(['weighted-mean', 'rank-fusion', 'replace'] as FusionStrategy[])('%s: cold start and weight 0 return exactly the similarity order', (strategy) => {
    const shuffled = [candidates[2], candidates[0], candidates[3], candidates[1]] as FusionCandidate[];
    const cold = rerank(shuffled, undefined, { strategy, weight: 0.8 });
    expect(ids(cold)).toEqual(['a', 'b', 'c', 'd']);
    expect(cold.map((r) => [r.rank, r.baselineRank, r.preference])).toEqual([1, 2, 3, 4].map((n) => [n, n, undefined]));
    expect(ids(rerank(shuffled, preferences, { strategy, weight: 0 }))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the input order among equal similarities and all-equal similarities normalise to 1', () => {
    const equal = [candidate('x', 0.5, 1), candidate('y', 0.5, 2), candidate('z', 0.5, 3)];
    const results = rerank(equal, undefined, { weight: 0.5 });
    expect(ids(results)).toEqual(['x', 'y', 'z']);
    expect(results.every((r) => r.similarityNorm === 1)).toBe(true);
  });

  it('returns the top k', () => {
    expect(ids(rerank(candidates, preferences, { weight: 0.3, k: 2 }))).toEqual(['b', 'a']);
    expect(rerank(candidates, preferences, { weight: 0.3, k: 10 })).toHaveLength(4);
    expect(rerank([], preferences, { weight: 0.3, k: 5 })).toEqual([]);
  });

  it('rejects a bad weight, k or strategy, naming the field', () => {
    const field = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).field;
      }
      return 'did not throw';
    };
    expect(field(() => rerank(candidates, preferences, { weight: 1.5 }))).toBe('weight');
    expect(field(() => rerank(candidates, preferences, { weight: Number.NaN }))).toBe('weight');
    expect(field(() => rerank(candidates, preferences, { weight: -0.1 }))).toBe('weight');
    expect(field(() => rerank(candidates, preferences, { weight: 0.5, k: 0 }))).toBe('k');
    expect(field(() => rerank(candidates, preferences, { weight: 0.5, k: 2.5 }))).toBe('k');
    expect(field(() => rerank(candidates, preferences, { weight: 0.5, strategy: 'magic' as FusionStrategy }))).toBe('strategy');
    expect(() => rerank(candidates, preferences, { weight: 2 })).toThrow(/weight 2 is out of range: expected a number in \[0, 1\]/);
    expect(() => rerank(candidates, preferences, { weight: 0.5, strategy: 'magic' as FusionStrategy })).toThrow(/strategy "magic" is unknown/);
  });
});

describe('explain', () => {
  it('says what moved a result', () => {
    const [top] = rerank(candidates, preferences, { weight: 0.3 });
    expect(explain(top as never)).toBe('similarity 0.80 · preference 1.00 (cluster 2), up from 2');
    const [cold] = rerank(candidates, undefined, { weight: 0.3 });
    expect(explain(cold as never)).toBe('similarity 0.90 (cluster 1; not personalised)');
  });
});
