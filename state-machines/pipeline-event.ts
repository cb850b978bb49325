/** The pipeline's EventBridge events (success, failure, quality checked): one PutEvents task shape for all three. */
import type * as events from 'aws-cdk-lib/aws-events';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { retryThrottling } from './retry-throttling';

export interface PipelineEventProps {
  /** The pipeline's `eventSource` setting. */
  readonly source: string;
  readonly detailType: string;
  /** @default the account's default event bus */
  readonly eventBus: events.IEventBus | undefined;
  readonly detail: sfn.TaskInput;
}

/** Publishes one event and keeps nothing of the answer in the state; throttling is retried. */
export function pipelineEvent(scope: Construct, id: string, props: PipelineEventProps): tasks.EventBridgePutEvents {
  const task = new tasks.EventBridgePutEvents(scope, id, {
    entries: [{ source: props.source, detailType: props.detailType, eventBus: props.eventBus, detail: props.detail }],
    resultPath: sfn.JsonPath.DISCARD,
  });
  retryThrottling(task, 'EventBridge');
  return task;
}
