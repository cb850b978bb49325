/**
 * Follows one execution's history: each poll reads only the events added since the last one (newest first, page by
 * page, until an id already seen) and turns them into RunEvents; a Distributed Map's progress comes from DescribeMapRun,
 * since its children are separate executions whose events are not in this history.
 * As the local runner reports it (state-machines/local-run-follower.ts), a state that fails shows once, as `failed`
 * instead of `exited`, when it is left; a failure that a Retry re-schedules is not shown.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html
 */
import { DescribeMapRunCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import type { HistoryEvent, MapRunItemCounts, SFNClient } from '@aws-sdk/client-sfn';
import type { RunEvent, RunFailure } from '../ports/pipeline-control';

/** The most GetExecutionHistory returns per page. */
const PAGE_SIZE = 1000;

/** Failures inside a state; each carries `<camelCaseType>EventDetails` with error and cause. */
const STATE_FAILURES = new Set([
  'TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed', 'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed',
  'MapRunFailed', 'EvaluationFailed',
]);
/** A Retry starting the state's work again: the failure before it is not the state's outcome. */
const RETRIED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled', 'MapRunStarted']);
const EXECUTION_FAILURES = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const EXECUTION_END = new Set(['ExecutionSucceeded', ...EXECUTION_FAILURES]);
const MAP_RUN_END = new Set(['MapRunSucceeded', 'MapRunFailed', 'MapRunAborted']);
const ITERATION_END = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);

export interface HistoryPoll {
  readonly events: RunEvent[];
  /** The ExecutionSucceeded/Failed/TimedOut/Aborted event, when this poll read it. */
  readonly ended?: HistoryEvent;
}

/** A state's failure as the run reports it: the state is always known here. */
export type StateFailure = Required<RunFailure>;

interface OpenState {
  readonly name: string;
  readonly at: Date;
  /** A Fail state: the run's end, not where it went wrong. */
  readonly fail: boolean;
  /** The last failure inside the state, until a retry starts it again. */
  failure?: { readonly error: string; readonly cause: string };
}

interface MapRun {
  readonly arn: string;
  readonly state: string;
  /** `succeeded/failed/total` last shown, so unchanged counts are not shown again. */
  shown?: string;
}

export class ExecutionHistoryFollower {
  private lastEventId = 0;
  /** States entered and not yet exited, oldest first; failures belong to the newest. */
  private readonly open: OpenState[] = [];
  /** The last state that failed, not counting Fail states: the one behind "Retraining failed", say. */
  lastFailure: StateFailure | undefined;
  /** Iterations of inline Map states in progress: their states are in this history but are not the run's steps. */
  private openIterations = 0;
  private readonly mapRuns: MapRun[] = [];

  private readonly client: Pick<SFNClient, 'send'>;
  private readonly executionArn: string;
  private readonly now: () => Date;

  constructor(client: Pick<SFNClient, 'send'>, executionArn: string, now: () => Date = () => new Date()) {
    this.client = client;
    this.executionArn = executionArn;
    this.now = now;
  }

  async poll(): Promise<HistoryPoll> {
    const events: RunEvent[] = [];
    let ended: HistoryEvent | undefined;
    for (const event of await this.readNew()) {
      events.push(...(await this.map(event)));
      if (EXECUTION_END.has(event.type ?? '')) ended = event;
    }
    for (const run of [...this.mapRuns]) {
      const progress = await this.progress(run, this.now());
      if (progress) events.push(progress);
    }
    return { events, ...(ended && { ended }) };
  }

  /** The events after the last one seen, oldest first. */
  private async readNew(): Promise<HistoryEvent[]> {
    const fresh = new Map<number, HistoryEvent>();
    let nextToken: string | undefined;
    let reachedSeen = false;
    do {
      const page = await this.client.send(new GetExecutionHistoryCommand({ executionArn: this.executionArn, reverseOrder: true, maxResults: PAGE_SIZE, nextToken }));
      for (const event of page.events ?? []) {
        const id = event.id ?? 0;
        // Events appended while paging push older ones onto the next page: keying by id drops the repeats.
        if (id > this.lastEventId) fresh.set(id, event);
        else reachedSeen = true;
      }
      nextToken = page.nextToken;
    } while (nextToken && !reachedSeen);
    const ordered = [...fresh.values()].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    const last = ordered.at(-1);
    if (last?.id !== undefined) this.lastEventId = last.id;
    return ordered;
  }

  private async map(event: HistoryEvent): Promise<RunEvent[]> {
    const type = event.type ?? '';
    const at = event.timestamp ?? this.now();
    if (type === 'MapIterationStarted') this.openIterations++;
    if (ITERATION_END.has(type)) this.openIterations = Math.max(0, this.openIterations - 1);
    if (this.openIterations > 0 && !type.startsWith('Execution')) return [];

    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      this.open.push({ name, at, fail: type === 'FailStateEntered' });
      return [{ kind: 'entered', state: name, at }];
    }
    if (type.endsWith('StateExited')) {
      const name = event.stateExitedEventDetails?.name ?? '?';
      const state = this.close(name);
      const seconds = secondsBetween(state?.at, at);
      // A state left after a failure was caught: it failed, whatever comes next.
      if (state?.failure) return [this.failed(name, at, seconds, state.failure)];
      return [{ kind: 'exited', state: name, at, seconds }];
    }
    const out: RunEvent[] = [];
    if (RETRIED.has(type)) {
      const current = this.current();
      if (current) delete current.failure;
    }
    if (type === 'MapRunStarted') {
      const arn = event.mapRunStartedEventDetails?.mapRunArn;
      if (arn !== undefined) this.mapRuns.push({ arn, state: this.current()?.name ?? 'Map' });
    }
    if (MAP_RUN_END.has(type)) {
      // The final counts, before the Map state's exit.
      const index = Math.max(0, this.mapRuns.findIndex((r) => r.state === this.current()?.name));
      const run = this.mapRuns.splice(index, 1)[0];
      const progress = run && (await this.progress(run, at));
      if (progress) out.push(progress);
    }
    if (STATE_FAILURES.has(type)) {
      const details = failureDetails(event, type);
      const current = this.current();
      if (current) current.failure = details;
      else out.push(this.failed('execution', at, undefined, details));
    }
    if (EXECUTION_FAILURES.has(type)) {
      // The newest open state is where the run stopped: a Fail state, or a task whose failure nothing caught.
      const current = this.current();
      const details = current?.failure ?? failureDetails(event, type);
      out.push(current ? this.failed(current.name, at, secondsBetween(current.at, at), details, !current.fail) : this.failed('execution', at, undefined, details));
    }
    return out;
  }

  private failed(state: string, at: Date, seconds: number | undefined, details: { error: string; cause: string }, record = true): RunEvent {
    if (record) this.lastFailure = { state, ...details };
    return { kind: 'failed', state, at, ...(seconds !== undefined && { seconds }), error: details.error, cause: details.cause };
  }

  private current(): OpenState | undefined {
    return this.open.at(-1);
  }

  /** Removes the newest open state of that name and returns it. */
  private close(name: string): OpenState | undefined {
    for (let i = this.open.length - 1; i >= 0; i--) {
      if (this.open[i]?.name === name) return this.open.splice(i, 1)[0];
    }
    return undefined;
  }

  private async progress(run: MapRun, at: Date): Promise<RunEvent | undefined> {
    const { itemCounts } = await this.client.send(new DescribeMapRunCommand({ mapRunArn: run.arn }));
    if (itemCounts === undefined) return undefined;
    const counts = summarizeCounts(itemCounts);
    const key = `${counts.succeeded}/${counts.failed}/${counts.total}`;
    if (key === run.shown) return undefined;
    run.shown = key;
    return { kind: 'map-progress', state: run.state, at, ...counts };
  }
}

/** Items that timed out or were aborted did not succeed either: they count as failed. */
export function summarizeCounts(counts: MapRunItemCounts): { succeeded: number; failed: number; total: number } {
  return {
    succeeded: counts.succeeded ?? 0,
    failed: (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0),
    total: counts.total ?? 0,
  };
}

function failureDetails(event: HistoryEvent, type: string): { error: string; cause: string } {
  const key = `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails` as keyof HistoryEvent;
  const details = (event[key] ?? {}) as { error?: string; cause?: string };
  return { error: details.error ?? type, cause: details.cause ?? '' };
}

function secondsBetween(from: Date | undefined, to: Date): number {
  return from === undefined ? 0 : Math.max(0, (to.getTime() - from.getTime()) / 1000);
}
