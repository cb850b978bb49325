import { describe, expect, it } from 'vitest';
import { percentile, summarize, timeRuns } from '../../bench/stats';

describe('percentile', () => {
  it('takes the middle value of an odd count and the mean of the middle two of an even count', () => {
    expect(percentile([5, 1, 3], 50)).toBe(3);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2.5);
  });

  it('interpolates p99 between the two slowest of a hundred samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBeCloseTo(99.01, 10);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
  });

  it('does not reorder the caller’s array', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and percentiles outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 101)).toThrow(/from 0 to 100, got 101/);
    expect(() => percentile([1], Number.NaN)).toThrow(/from 0 to 100/);
  });
});

describe('summarize', () => {
  it('reports median, p99, mean, extremes and count', () => {
    const s = summarize([2, 4, 6, 8]);
    expect(s).toMatchObject({ median: 5, mean: 5, min: 2, max: 8, count: 4 });
    expect(s.p99).toBeCloseTo(7.94, 10);
  });

  it('refuses a non-finite sample rather than reporting NaN', () => {
    expect(() => summarize([1, Number.NaN])).toThrow(/finite/);
  });
});

describe('timeRuns', () => {
  it('runs the warm-up first, untimed, then times each run with its index', async () => {
    const calls: number[] = [];
    const times = await timeRuns((i) => void calls.push(i), { warmup: 2, runs: 3 });
    expect(calls).toEqual([0, 1, 2, 3, 4]);
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toBeGreaterThanOrEqual(0);
  });

  it('refuses zero runs and a negative warm-up', async () => {
    await expect(timeRuns(() => undefined, { warmup: 0, runs: 0 })).rejects.toThrow(/runs must be an integer >= 1/);
    await expect(timeRuns(() => undefined, { warmup: -1, runs: 1 })).rejects.toThrow(/warmup must be an integer >= 0/);
  });
});
