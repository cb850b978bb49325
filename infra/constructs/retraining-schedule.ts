/** The EventBridge rule that starts the retraining state machine on a schedule, with the same input as a manual run. */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface RetrainingScheduleProps {
  readonly stateMachine: sfn.IStateMachine;
  /** EventBridge schedule expression: `rate(7 days)` or `cron(0 3 ? * SUN *)` (UTC). */
  readonly expression: string;
  /** Disabled rules stay deployed, so switching the schedule back on is a config change. @default true */
  readonly enabled?: boolean;
  /** Execution input; a console run may pass the same object. @default {} */
  readonly input?: Readonly<Record<string, unknown>>;
}

export class RetrainingSchedule extends Construct {
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: RetrainingScheduleProps) {
    super(scope, id);
    if (!/^(rate|cron)\(.+\)$/.test(props.expression)) {
      throw new Error(`RetrainingScheduleProps.expression "${props.expression}" must be rate(...) or cron(...)`);
    }
    this.rule = new events.Rule(this, 'Rule', {
      description: 'Starts the retraining state machine (embeddings, clusters, Personalize, index generation)',
      schedule: events.Schedule.expression(props.expression),
      enabled: props.enabled ?? true,
    });
    this.rule.addTarget(
      new targets.SfnStateMachine(props.stateMachine, {
        input: events.RuleTargetInput.fromObject(props.input ?? {}),
        // A start that fails (throttled, or the API briefly down) is retried rather than skipping a week.
        retryAttempts: 3,
      }),
    );
  }
}
