/** The one Retry every task of the pipeline gets: AWS throttles per account and per API. */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** Retries throttling with exponential backoff and full jitter; `service` prefixes the SDK integrations' error names. */
export function retryThrottling(task: sfn.TaskStateBase, service: string): void {
  task.addRetry({
    errors: ['ThrottlingException', `${service}.ThrottlingException`, `${service}.TooManyRequestsException`],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    jitterStrategy: sfn.JitterType.FULL,
  });
}
