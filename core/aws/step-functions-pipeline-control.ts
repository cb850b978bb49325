/**
 * The PipelineControl port on AWS: runs are executions of the retraining state machine (Step Functions), the schedule
 * is the EventBridge rule that targets it, and the teardown lists and deletes what runs created in Personalize and
 * OpenSearch. Every client is injected; `sleep` and `now` too, so tests follow a run without waiting.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { AppError, ConcurrentRunError, NotFoundError, ValidationError } from '../errors';
import type { PersonalizeAdmin } from '../ports/personalize-admin';
import type {
  ExecutionSummary, PipelineControl, RunEvent, ScheduleState, StartedRun, TeardownItem, TeardownResult,
} from '../ports/pipeline-control';
import { planAwsTeardown, runAwsTeardown } from './aws-teardown-plan';
import type { AwsTeardownDeps, TeardownGenerationIndex } from './aws-teardown-plan';
import { EventBridgeSchedule } from './eventbridge-schedule';
import { defaultSleep, errorName, mapLimited } from './retry';
import { executionArnFor, summarizeExecution, validateStateMachineArn } from './step-functions-executions';
import { ExecutionHistoryFollower } from './step-functions-history';
import type { StateFailure } from './step-functions-history';

export interface StepFunctionsPipelineControlProps {
  readonly stateMachineArn: string;
  readonly sfn: Pick<SFNClient, 'send'>;
  readonly eventBridge: Pick<EventBridgeClient, 'send'>;
  /** The stack's ScheduleRuleName output. @default the rule found by ListRuleNamesByTarget */
  readonly scheduleRuleName?: string;
  /** For the teardown. @default teardown refuses, naming the missing stack outputs */
  readonly personalize?: PersonalizeAdmin;
  readonly datasetGroupArn?: string;
  readonly index?: TeardownGenerationIndex;
  readonly alias?: string;
  /**
   * Between two history polls while following a run. GetExecutionHistory's token bucket refills at a few calls per
   * second per account (https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html). @default 5000
   */
  readonly pollIntervalMs?: number;
  /** DescribeExecution calls in flight while listing. @default 4 */
  readonly describeConcurrency?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** ListExecutions' largest page. */
const MAX_PAGE = 1000;

export class StepFunctionsPipelineControl implements PipelineControl {
  readonly mode = 'aws' as const;
  readonly stateMachineArn: string;
  private readonly sfn: Pick<SFNClient, 'send'>;
  private readonly schedule: EventBridgeSchedule;
  private readonly teardownDeps: AwsTeardownDeps;
  private readonly pollIntervalMs: number;
  private readonly describeConcurrency: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => Date;

  constructor(props: StepFunctionsPipelineControlProps) {
    this.stateMachineArn = validateStateMachineArn(props.stateMachineArn);
    this.sfn = props.sfn;
    this.schedule = new EventBridgeSchedule({ client: props.eventBridge, stateMachineArn: this.stateMachineArn, ...(props.scheduleRuleName !== undefined && { ruleName: props.scheduleRuleName }) });
    this.teardownDeps = { personalize: props.personalize, datasetGroupArn: props.datasetGroupArn, index: props.index, alias: props.alias };
    this.pollIntervalMs = positiveInteger(props.pollIntervalMs ?? 5000, 'pollIntervalMs', 0);
    this.describeConcurrency = positiveInteger(props.describeConcurrency ?? 4, 'describeConcurrency', 1);
    this.sleep = props.sleep ?? defaultSleep;
    this.now = props.now ?? (() => new Date());
  }

  async start(input: Readonly<Record<string, unknown>>): Promise<StartedRun> {
    const started = await this.call(`state machine ${this.stateMachineArn}`, () =>
      this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, input: JSON.stringify(input) })));
    const id = started.executionArn;
    if (id === undefined) throw new AppError(`StartExecution on ${this.stateMachineArn} returned no execution ARN`);
    return { id, startedAt: started.startDate ?? this.now(), events: () => this.follow(id) };
  }

  async describe(id: string): Promise<ExecutionSummary> {
    if (typeof id !== 'string' || id.trim() === '') throw new ValidationError('an execution ARN or name is required', { field: 'id' });
    const executionArn = executionArnFor(this.stateMachineArn, id.trim());
    const described = await this.call(`execution "${id}" of ${this.stateMachineArn}`, () => this.sfn.send(new DescribeExecutionCommand({ executionArn })));
    return summarizeExecution(described);
  }

  async list(limit: number): Promise<ExecutionSummary[]> {
    positiveInteger(limit, 'limit', 1);
    const items: { executionArn: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call(`state machine ${this.stateMachineArn}`, () =>
        this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, maxResults: Math.min(MAX_PAGE, limit - items.length), nextToken })));
      for (const item of page.executions ?? []) if (item.executionArn !== undefined) items.push({ executionArn: item.executionArn });
      nextToken = page.nextToken;
    } while (nextToken && items.length < limit);
    // ListExecutions has no input, output or error: each run's generation and verdict need its DescribeExecution.
    return mapLimited(items.slice(0, limit), this.describeConcurrency, (item) => this.describe(item.executionArn));
  }

  readSchedule(): Promise<ScheduleState> {
    return this.schedule.read();
  }

  setScheduleEnabled(enabled: boolean): Promise<ScheduleState> {
    return this.schedule.setEnabled(enabled);
  }

  setScheduleExpression(expression: string): Promise<ScheduleState> {
    return this.schedule.setExpression(expression);
  }

  planTeardown(): Promise<TeardownItem[]> {
    return planAwsTeardown(this.teardownDeps);
  }

  async teardown(items: readonly TeardownItem[]): Promise<TeardownResult> {
    // A run in progress is training a solution version and filling a generation: deleting them under it fails the run.
    const running = await this.call(`state machine ${this.stateMachineArn}`, () =>
      this.sfn.send(new ListExecutionsCommand({ stateMachineArn: this.stateMachineArn, statusFilter: 'RUNNING', maxResults: 1 })));
    const run = running.executions?.[0];
    if (run !== undefined) {
      throw new ConcurrentRunError(`a retraining run is in progress (${run.executionArn ?? '?'}): wait for it to finish or stop it, then run the teardown again`);
    }
    return runAwsTeardown(this.teardownDeps, items);
  }

  /** The run's events until its history ends; then `finished` with its summary. */
  private async *follow(executionArn: string): AsyncGenerator<RunEvent> {
    const history = new ExecutionHistoryFollower(this.sfn, executionArn, this.now);
    for (;;) {
      const { events, ended } = await history.poll();
      yield* events;
      if (ended !== undefined) {
        const execution = await this.describe(executionArn);
        // A redrive appends to a failed execution's history, which then goes on from RUNNING.
        if (execution.status !== 'RUNNING') {
          yield { kind: 'finished', at: execution.stoppedAt ?? ended.timestamp ?? this.now(), execution: withFailedState(execution, history.lastFailure) };
          return;
        }
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  /** The SDK call, with "does not exist" answers as NotFoundError naming `what`. */
  private async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = errorName(error);
      if (name === 'ExecutionDoesNotExist' || name === 'StateMachineDoesNotExist' || name === 'InvalidArn') {
        throw new NotFoundError(`${what} does not exist (${name}): check the name or ARN, and the region`, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * DescribeExecution does not say which state failed; the history does. The failure path's Fail state carries the
 * error and cause it caught, so the state that failed with those is the one to name, as the local runner does.
 */
function withFailedState(execution: ExecutionSummary, last: StateFailure | undefined): ExecutionSummary {
  const failure = execution.failure;
  if (failure === undefined || failure.state !== undefined || last === undefined) return execution;
  if (last.error !== failure.error || last.cause !== failure.cause) return execution;
  return { ...execution, failure: { state: last.state, ...failure } };
}

function positiveInteger(value: number, field: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(`${field} must be an integer >= ${min}, got ${String(value)}`, { field });
  return value;
}
