/**
 * The ExecutionGuard port on Step Functions: the running executions of the run's own state machine are the claims.
 * When two executions start together each sees the other; the earlier (then the smaller ARN) goes on, so exactly one
 * survives. https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
 */
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { ConcurrentRunError, ValidationError } from '../errors';
import type { ExecutionGuard, RunClaim } from '../ports/execution-guard';

export interface StepFunctionsExecutionGuardProps {
  /** @default new SFNClient({ region }) */
  readonly client?: Pick<SFNClient, 'send'>;
  readonly region?: string;
}

const EXECUTION_ARN = /^(arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}):execution:([^:]+):[^:]+$/;

/** arn:...:execution:<machine>:<name> -> arn:...:stateMachine:<machine> */
export function stateMachineArnOf(executionArn: string): string {
  const match = EXECUTION_ARN.exec(executionArn);
  if (!match) throw new ValidationError(`"${executionArn}" is not a Standard execution ARN`, { field: 'runId' });
  return `${match[1]}:stateMachine:${match[2]}`;
}

export class StepFunctionsExecutionGuard implements ExecutionGuard {
  private readonly client: Pick<SFNClient, 'send'>;

  constructor(props: StepFunctionsExecutionGuardProps = {}) {
    this.client = props.client ?? new SFNClient(props.region !== undefined ? { region: props.region } : {});
  }

  async claim(run: RunClaim): Promise<void> {
    const stateMachineArn = stateMachineArnOf(run.runId);
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING', nextToken }));
      const earlier = (page.executions ?? []).find((other) => other.executionArn !== run.runId && startedBefore(other, run));
      if (earlier) {
        throw new ConcurrentRunError(
          `another retraining run is in progress (${earlier.executionArn ?? 'unknown'}, started ${earlier.startDate?.toISOString() ?? '?'}): ` +
            'wait for it to finish or stop it, then start again',
        );
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }

  async release(): Promise<void> {
    // The execution's end is the release.
  }
}

function startedBefore(other: ExecutionListItem, run: RunClaim): boolean {
  const otherStart = other.startDate?.getTime() ?? 0;
  const start = run.startedAt.getTime();
  return otherStart < start || (otherStart === start && (other.executionArn ?? '') < run.runId);
}
