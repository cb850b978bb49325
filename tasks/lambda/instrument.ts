/**
 * Powertools around every pipeline Lambda: logs carry the execution id and step, each invocation records a
 * duration and an outcome metric per step, and the step is an X-Ray annotation.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { StepContext } from '../task-input';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

export function instrument<E extends StepContext, R>(step: string, handler: (event: E) => Promise<R>): (event: E) => Promise<R> {
  return async (event) => {
    logger.appendKeys({ executionId: event.executionId ?? 'unknown', step });
    tracer.putAnnotation('step', step);
    metrics.addDimension('step', step);
    const started = Date.now();
    try {
      const result = await handler(event);
      logger.info('step succeeded', { result: summary(result) });
      metrics.addMetric('StepSucceeded', MetricUnit.Count, 1);
      return result;
    } catch (error) {
      logger.error('step failed', error as Error);
      metrics.addMetric('StepFailed', MetricUnit.Count, 1);
      throw error;
    } finally {
      metrics.addMetric('StepDuration', MetricUnit.Milliseconds, Date.now() - started);
      metrics.publishStoredMetrics();
      logger.removeKeys(['executionId', 'step']);
    }
  };
}

/** Results are small by design, but a long skipped list should not flood the log. */
function summary(result: unknown): unknown {
  const text = JSON.stringify(result) ?? '';
  return text.length <= 2000 ? result : `${text.slice(0, 2000)}...`;
}
