import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { judgeModelQuality, qualityFromSolutionMetrics } from '../../core/quality-gate';

const serving = { ndcgAt10: 0.93, precisionAt10: 0.31 };

describe('judgeModelQuality', () => {
  it('passes the first model, when nothing serves yet', () => {
    for (const none of [null, undefined]) {
      expect(judgeModelQuality({ generation: 'gen-1', candidate: { ndcgAt10: 0.1, precisionAt10: 0.05 }, serving: none, tolerance: 0.02 })).toEqual({
        passed: true,
        generation: 'gen-1',
        candidate: { ndcgAt10: 0.1, precisionAt10: 0.05 },
        serving: null,
        tolerance: 0.02,
        reasons: [],
      });
    }
  });

  it('passes a model no worse than the serving one beyond the tolerance, including a drop of exactly the tolerance', () => {
    expect(judgeModelQuality({ generation: 'gen-2', candidate: { ndcgAt10: 0.91, precisionAt10: 0.29 }, serving, tolerance: 0.02 }).passed).toBe(true);
    expect(judgeModelQuality({ generation: 'gen-2', candidate: { ndcgAt10: 0.99, precisionAt10: 0.4 }, serving, tolerance: 0 }).passed).toBe(true);
  });

  it('rejects a model whose figures dropped too far, one readable reason per figure', () => {
    const verdict = judgeModelQuality({ generation: 'gen-3', candidate: { ndcgAt10: 0.412, precisionAt10: 0.3 }, serving, tolerance: 0.02 });
    expect(verdict.passed).toBe(false);
    expect(verdict.serving).toEqual(serving);
    expect(verdict.reasons).toEqual(["ndcg@10 0.412 is 0.518 below the serving model's 0.930 (tolerance 0.02)"]);

    const both = judgeModelQuality({ generation: 'gen-3', candidate: { ndcgAt10: 0.5, precisionAt10: 0.1 }, serving, tolerance: 0.05 });
    expect(both.reasons).toEqual([
      "ndcg@10 0.500 is 0.430 below the serving model's 0.930 (tolerance 0.05)",
      "precision@10 0.100 is 0.210 below the serving model's 0.310 (tolerance 0.05)",
    ]);
  });

  it.each([
    [{ tolerance: -0.01 }, 'tolerance'],
    [{ tolerance: 1.5 }, 'tolerance'],
    [{ tolerance: Number.NaN }, 'tolerance'],
    [{ generation: '' }, 'generation'],
    [{ candidate: { ndcgAt10: 1.2, precisionAt10: 0.1 } }, 'candidate.ndcgAt10'],
    [{ serving: { ndcgAt10: 0.5, precisionAt10: Number.POSITIVE_INFINITY } }, 'serving.precisionAt10'],
  ])('refuses %j, naming %s', (override, field) => {
    const input = { generation: 'gen-4', candidate: { ndcgAt10: 0.5, precisionAt10: 0.2 }, serving, tolerance: 0.02, ...override };
    expect(() => judgeModelQuality(input)).toThrow(ValidationError);
    try {
      judgeModelQuality(input);
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
    }
  });
});

describe('qualityFromSolutionMetrics', () => {
  it('reads the two figures of a GetSolutionMetrics map, ignoring the others', () => {
    expect(qualityFromSolutionMetrics({
      coverage: 0.8,
      normalized_discounted_cumulative_gain_at_10: 0.71,
      precision_at_10: 0.22,
      precision_at_25: 0.12,
    })).toEqual({ ndcgAt10: 0.71, precisionAt10: 0.22 });
  });

  it('names the missing or non-numeric key', () => {
    expect(() => qualityFromSolutionMetrics({ precision_at_10: 0.2 })).toThrow(/no "normalized_discounted_cumulative_gain_at_10"/);
    expect(() => qualityFromSolutionMetrics({ normalized_discounted_cumulative_gain_at_10: 0.5, precision_at_10: '0.2' })).toThrow(/"precision_at_10" is "0.2": expected a number/);
    try {
      qualityFromSolutionMetrics({ normalized_discounted_cumulative_gain_at_10: 0.5 }, 'servingMetrics');
    } catch (error) {
      expect((error as ValidationError).field).toBe('servingMetrics.precision_at_10');
    }
    expect.assertions(3);
  });
});
