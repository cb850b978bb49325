/**
 * What an operator does with the retraining pipeline, the same way on AWS (Step Functions, EventBridge) and locally
 * (the local runner on the state folder): start a run and follow it, look at past runs, change the schedule, and
 * delete what runs left behind.
 */
import type { QualityVerdict } from '../quality-gate';

/** Step Functions execution statuses; local runs use the same words. */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The Fail state a run the quality gate stopped ends in, and its error name. */
export const MODEL_REJECTED_STATE = 'Model rejected';
export const MODEL_REJECTED_ERROR = 'ModelRejected';

export interface RunFailure {
  /** The state that failed, when known. */
  readonly state?: string;
  readonly error: string;
  readonly cause: string;
}

export interface ExecutionSummary {
  /** Execution ARN on AWS; `arn:aws:states:local:...` locally. */
  readonly id: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startedAt: Date;
  readonly stoppedAt?: Date;
  /** The index generation the run built (or was building). */
  readonly generation?: string;
  /** The quality gate's verdict, once the run got that far. */
  readonly quality?: QualityVerdict;
  readonly failure?: RunFailure;
}

/** One thing that happened in a run, as `run --follow` shows it; Map children are summarised as progress. */
export type RunEvent =
  | { readonly kind: 'entered'; readonly state: string; readonly at: Date }
  | { readonly kind: 'exited'; readonly state: string; readonly at: Date; readonly seconds: number }
  | { readonly kind: 'failed'; readonly state: string; readonly at: Date; readonly seconds?: number; readonly error: string; readonly cause: string }
  | {
      readonly kind: 'map-progress';
      readonly state: string;
      readonly at: Date;
      readonly succeeded: number;
      readonly failed: number;
      readonly total: number;
    }
  | { readonly kind: 'finished'; readonly at: Date; readonly execution: ExecutionSummary };

export interface StartedRun {
  readonly id: string;
  readonly startedAt: Date;
  /** The run's events from its start until it ends (the last one is `finished`). */
  events(): AsyncIterable<RunEvent>;
}

export interface ScheduleState {
  /** EventBridge rule name locally too, so messages read the same. */
  readonly name: string;
  readonly expression: string;
  readonly enabled: boolean;
}

export interface TeardownItem {
  /** campaign, solution, solution version, event tracker, index generation, generation files, ... */
  readonly kind: string;
  /** ARN, generation name or path. */
  readonly id: string;
  /** Why it is safe to delete, or what it costs to keep. */
  readonly note?: string;
}

export interface TeardownResult {
  readonly deleted: readonly TeardownItem[];
  readonly left: readonly (TeardownItem & { readonly reason: string })[];
}

export interface PipelineControl {
  readonly mode: 'local' | 'aws';
  /** Starts a run with an input already validated by `parseExecutionInput`. */
  start(input: Readonly<Record<string, unknown>>): Promise<StartedRun>;
  /** One execution, by id or name; NotFoundError for an unknown one. */
  describe(id: string): Promise<ExecutionSummary>;
  /** Executions newest first, at most `limit`. */
  list(limit: number): Promise<ExecutionSummary[]>;
  readSchedule(): Promise<ScheduleState>;
  setScheduleEnabled(enabled: boolean): Promise<ScheduleState>;
  setScheduleExpression(expression: string): Promise<ScheduleState>;
  /** What `teardown` would delete; nothing is deleted. */
  planTeardown(): Promise<TeardownItem[]>;
  teardown(items: readonly TeardownItem[]): Promise<TeardownResult>;
}
