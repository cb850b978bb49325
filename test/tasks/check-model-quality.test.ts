import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { checkModelQuality } from '../../tasks/check-model-quality';
import type { CheckModelQualityEvent } from '../../tasks/check-model-quality';

const metrics = (ndcg: number, precision: number) => ({ coverage: 0.5, normalized_discounted_cumulative_gain_at_10: ndcg, precision_at_10: precision });
const event: CheckModelQualityEvent = {
  step: 'Check model quality',
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:Retraining:run-1',
  generation: 'gen-20261204-090507',
  candidateMetrics: metrics(0.8, 0.3),
  servingMetrics: metrics(0.82, 0.3),
  tolerance: 0.02,
};

describe('check model quality step', () => {
  it('passes the first model and gives the verdict as the cause string too', async () => {
    const result = await checkModelQuality({ ...event, servingMetrics: null });
    expect(result.verdict).toEqual({
      passed: true,
      generation: event.generation,
      candidate: { ndcgAt10: 0.8, precisionAt10: 0.3 },
      serving: null,
      tolerance: 0.02,
      reasons: [],
    });
    expect(JSON.parse(result.cause)).toEqual(result.verdict);
  });

  it('passes a model within the tolerance of the serving one', async () => {
    expect((await checkModelQuality(event)).verdict.passed).toBe(true);
  });

  it('rejects a model that dropped too far, with both figure sets and the reason in the cause', async () => {
    const result = await checkModelQuality({ ...event, candidateMetrics: metrics(0.5, 0.29) });
    expect(result.verdict).toMatchObject({ passed: false, candidate: { ndcgAt10: 0.5 }, serving: { ndcgAt10: 0.82 } });
    expect(result.verdict.reasons).toEqual(["ndcg@10 0.500 is 0.320 below the serving model's 0.820 (tolerance 0.02)"]);
    expect(JSON.parse(result.cause)).toEqual(result.verdict);
  });

  it.each([
    [{ generation: undefined }, 'generation'],
    [{ candidateMetrics: undefined }, 'candidateMetrics'],
    [{ candidateMetrics: { precision_at_10: 0.2 } }, 'candidateMetrics.normalized_discounted_cumulative_gain_at_10'],
    [{ servingMetrics: undefined }, 'servingMetrics'],
    [{ servingMetrics: { normalized_discounted_cumulative_gain_at_10: 0.5, precision_at_10: null } }, 'servingMetrics.precision_at_10'],
    [{ tolerance: '0.02' }, 'tolerance'],
  ])('refuses %j with a ValidationError naming %s', async (override, field) => {
    const bad = { ...event, ...override } as unknown as CheckModelQualityEvent;
    const error = await checkModelQuality(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });
});
