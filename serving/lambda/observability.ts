/**
 * Powertools for the serving Lambdas: structured logs with the Lambda context and the request id, one EMF metric set
 * per request (count, latency, errors), and X-Ray tracing of the SDK clients (`tracer.captureAWSv3Client`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'image-search';
export const logger = new Logger({ serviceName });
export const tracer = new Tracer({ serviceName });
const metrics = new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ImageSearch' });

/** Logs, measures and flushes metrics around a proxy handler; `route` names the metrics (Search, Events). */
export function instrument(
  route: string,
  handle: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    logger.addContext(context);
    logger.appendKeys({ requestId: event.requestContext?.requestId, route });
    const started = performance.now();
    try {
      const result = await handle(event);
      const ms = performance.now() - started;
      metrics.addMetric(`${route}Requests`, MetricUnit.Count, 1);
      metrics.addMetric(`${route}LatencyMs`, MetricUnit.Milliseconds, ms);
      metrics.addMetric(`${route}ServerErrors`, MetricUnit.Count, result.statusCode >= 500 ? 1 : 0);
      logger.info('request served', { method: event.httpMethod, path: event.path, statusCode: result.statusCode, ms: Math.round(ms) });
      return result;
    } finally {
      metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
}
