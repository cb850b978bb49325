/**
 * Follows one local execution's event log (aws-local-stepfunctions) the way the Step Functions console shows a run:
 * each top-level state entered, left (with its duration) or failed, as progress lines, step timings and RunEvents, and
 * names the state a failed run failed at. Map children are left to the Map's own batch reports.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { RunEvent, RunFailure } from '../core/ports/pipeline-control';
import { caughtLine, enteredLine, leftLine } from './local-progress';
import type { StepTiming } from './local-progress';

type Failure = Required<RunFailure>;
/** The library does not export its event type; it is what an execution's `eventLogs` yields. */
type ExecutionEvents = ReturnType<StateMachine['run']>['eventLogs'];

export interface RunFollowerProps {
  readonly say: (line: string) => void;
  readonly timed: (timing: StepTiming) => void;
  readonly emit: (event: RunEvent) => void;
  /** Which states are Fail states (the end of a failure path), by name. */
  readonly isFailState: (state: string) => boolean;
}

export class RunFollower {
  /** Every top-level state entered, in order. */
  readonly visited: string[] = [];
  /** Output of each top-level state that exited, by name (the last one wins). */
  readonly outputs = new Map<string, unknown>();
  private readonly entered = new Map<string, number>();
  private lastFailed: Failure | undefined;
  private lastCaught: Failure | undefined;

  constructor(private readonly props: RunFollowerProps) {}

  async follow(events: ExecutionEvents): Promise<void> {
    for await (const event of events) {
      if (!('state' in event) || ('index' in event && event.index !== undefined)) continue;
      const name = event.state.name;
      const at = new Date(event.timestamp);
      if (event.type === 'StateEntered') {
        this.visited.push(name);
        this.entered.set(name, event.timestamp);
        this.props.say(enteredLine(name));
        this.props.emit({ kind: 'entered', state: name, at });
      } else if (event.type === 'StateExited' || event.type === 'StateFailed') {
        if (event.type === 'StateFailed') {
          const cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
          this.lastFailed = { state: name, error: event.Error, cause };
        }
        // The library reports a failed state as failed and then exited, and a retried one as failed again: count it once.
        const start = this.entered.get(name);
        if (start === undefined) continue;
        this.entered.delete(name);
        const seconds = (event.timestamp - start) / 1000;
        this.props.timed({ step: name, seconds });
        if (event.type === 'StateFailed' && this.lastFailed) {
          const { error, cause } = this.lastFailed;
          this.props.say(leftLine(name, seconds, { error, cause }));
          this.props.emit({ kind: 'failed', state: name, at, seconds, error, cause });
        } else {
          this.outputs.set(name, event.state.output);
          this.props.say(leftLine(name, seconds));
          this.props.emit({ kind: 'exited', state: name, at, seconds });
        }
      } else if (event.type === 'StateCaught' && this.lastFailed?.state === name) {
        this.lastCaught = this.lastFailed;
        this.props.say(caughtLine(String(event.catch.catcher.Next)));
      }
    }
  }

  /**
   * Where a failed run failed: a Fail state that only passes on a caught error (the failure path ends in
   * "Retraining failed" with the error and cause it caught) is reported as the state that raised it; any other Fail
   * state ("Model rejected") or an uncaught failure is reported as itself.
   */
  failure(fallback: { Error: string; Cause: string }): Failure {
    const terminal = this.lastFailed ?? { state: this.visited.at(-1) ?? '(start)', error: fallback.Error, cause: fallback.Cause };
    const caught = this.lastCaught;
    if (caught && this.props.isFailState(terminal.state) && caught.error === terminal.error && caught.cause === terminal.cause) return caught;
    return terminal;
  }
}
