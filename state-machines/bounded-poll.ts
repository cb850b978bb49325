/**
 * A Wait -> Describe -> Choice loop with an attempt counter, for services with no `.sync` integration (Personalize).
 * Step Functions has no loop bound of its own: without the counter a job stuck in PENDING would poll for the whole
 * execution timeout (a year for Standard workflows).
 */
import type { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export const POLL_ATTEMPTS_EXCEEDED = 'PollAttemptsExceeded';

export interface BoundedPollProps {
  /** Names the states ("Wait for <subject>", "<subject> ready?") and the errors; e.g. "dataset import". */
  readonly subject: string;
  /** The Describe* call; it must write its result under `resultPath` and not change the rest of the state. */
  readonly describe: sfn.TaskStateBase;
  /** The job reached its goal: leave the loop. */
  readonly ready: sfn.Condition;
  /** The job ended badly: leave the loop through `onFailure`. */
  readonly failed: sfn.Condition;
  /** JSONPath of the job's status string, quoted in the failure cause. */
  readonly statusPath: string;
  /** Where the loop keeps its counter, e.g. `$.polls.import`. */
  readonly counterPath: string;
  readonly interval: Duration;
  readonly maxAttempts: number;
  /** Error name when the job fails, e.g. "PersonalizeImportFailed". */
  readonly failedError: string;
  /** The failure path; the loop writes `{Error, Cause}` to `$.error` first, as a Catch with ResultPath `$.error` would. */
  readonly onFailure: sfn.IChainable;
}

/** The loop as one chain: enter at "Start <subject> polling", leave at "<subject> ready". */
export function boundedPoll(scope: Construct, props: BoundedPollProps): sfn.Chain {
  const { subject } = props;
  const title = subject.charAt(0).toUpperCase() + subject.slice(1);
  const start = new sfn.Pass(scope, `Start ${subject} polling`, {
    result: sfn.Result.fromObject({ attempts: 0 }),
    resultPath: props.counterPath,
  });
  const wait = new sfn.Wait(scope, `Wait for ${subject}`, { time: sfn.WaitTime.duration(props.interval) });
  const done = new sfn.Pass(scope, `${title} ready`);
  const failed = new sfn.Pass(scope, `${title} failed`, {
    parameters: {
      Error: props.failedError,
      'Cause.$': `States.Format('${subject} ended in status {}: see its FailureReason in the console', ${props.statusPath})`,
    },
    resultPath: '$.error',
  }).next(props.onFailure);
  const exceeded = new sfn.Pass(scope, `${title} polls exhausted`, {
    parameters: {
      Error: POLL_ATTEMPTS_EXCEEDED,
      Cause: `${subject} was not ready after ${props.maxAttempts} polls ${props.interval.toSeconds()} s apart: raise maxPollAttempts or check the job`,
    },
    resultPath: '$.error',
  }).next(props.onFailure);
  const count = new sfn.Pass(scope, `Count ${subject} poll`, {
    parameters: { 'attempts.$': `States.MathAdd(${props.counterPath}.attempts, 1)` },
    resultPath: props.counterPath,
  });
  const pollsLeft = new sfn.Choice(scope, `${title} polls left?`)
    .when(sfn.Condition.numberGreaterThanEquals(`${props.counterPath}.attempts`, props.maxAttempts), exceeded)
    .otherwise(wait);
  const status = new sfn.Choice(scope, `${title} ready?`)
    .when(props.ready, done)
    .when(props.failed, failed)
    .otherwise(count.next(pollsLeft));
  start.next(wait).next(props.describe).next(status);
  return sfn.Chain.custom(start, [done], done);
}

/** A Personalize status that will not change any more without a new request. */
export function personalizeFailed(statusPath: string): sfn.Condition {
  return sfn.Condition.or(sfn.Condition.stringMatches(statusPath, '*FAILED'), sfn.Condition.stringMatches(statusPath, '*STOPPED'));
}
