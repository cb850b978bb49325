import { describe, expect, it } from 'vitest';
import { mean, ndcgAtK, precisionAtK, recallAtK } from '../../core/metrics';

describe('precisionAtK', () => {
  it('counts relevant ids among the first k, missing places as misses', () => {
    const relevant = new Set(['a', 'c']);
    expect(precisionAtK(['a', 'b', 'c', 'd'], (id) => relevant.has(id), 2)).toBe(0.5);
    expect(precisionAtK(['a', 'b', 'c', 'd'], (id) => relevant.has(id), 4)).toBe(0.5);
    expect(precisionAtK(['a'], (id) => relevant.has(id), 4)).toBe(0.25);
  });

  it('rejects k < 1', () => {
    expect(() => precisionAtK(['a'], () => true, 0)).toThrow(/k 0 is invalid/);
  });
});

describe('recallAtK', () => {
  it('is the share of the reference top k found in the result top k', () => {
    expect(recallAtK(['a', 'b', 'x', 'y'], ['a', 'b', 'c', 'd'], 4)).toBe(0.5);
    expect(recallAtK(['b', 'a', 'z'], ['a', 'b', 'c'], 2)).toBe(1);
    expect(recallAtK(['a', 'z'], ['a', 'b', 'c'], 2)).toBe(0.5);
    expect(recallAtK(['a', 'b'], ['a'], 5)).toBe(1);
  });
});

describe('ndcgAtK', () => {
  const grades: Record<string, number> = { a: 3, b: 2, c: 0, d: 1 };
  const rel = (id: string): number => grades[id] ?? 0;

  it('matches a hand-computed value with exponential gain', () => {
    // ranked c, a, d: DCG = 0/1 + 7/log2(3) + 1/2 = 4.9165; ideal over the pool a, b, d: 7 + 3/log2(3) + 1/2 = 9.3928
    const dcg = 7 / Math.log2(3) + 1 / 2;
    const idcg = 7 + 3 / Math.log2(3) + 1 / 2;
    expect(ndcgAtK(['c', 'a', 'd'], rel, 3, { pool: ['a', 'b', 'c', 'd'] })).toBeCloseTo(dcg / idcg, 12);
  });

  it('matches a hand-computed value with linear gain, ideal from the ranked list by default', () => {
    // ranked d, a: DCG = 1 + 3/log2(3); ideal a, d: 3 + 1/log2(3)
    expect(ndcgAtK(['d', 'a'], rel, 2, { gain: 'linear' })).toBeCloseTo((1 + 3 / Math.log2(3)) / (3 + 1 / Math.log2(3)), 12);
  });

  it('is 1 for the ideal order and 0 when nothing is relevant', () => {
    expect(ndcgAtK(['a', 'b', 'd', 'c'], rel, 4, { pool: ['a', 'b', 'c', 'd'] })).toBe(1);
    expect(ndcgAtK(['c'], rel, 3)).toBe(0);
  });

  it('rejects negative relevance', () => {
    expect(() => ndcgAtK(['a'], () => -1, 1)).toThrow(/relevance of "a" is -1/);
  });
});

describe('mean', () => {
  it('averages, and refuses an empty list', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(() => mean([])).toThrow(/empty list/);
  });
});
