/**
 * A DescribeExecution answer as the operator's ExecutionSummary: the generation the run built, the quality gate's
 * verdict (the output's `quality.verdict`, or the cause of a ModelRejected failure) and the failure, if any.
 */
import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { ValidationError } from '../errors';
import type { ExecutionStatus, ExecutionSummary, RunFailure } from '../ports/pipeline-control';
import { EXECUTION_STATUSES, MODEL_REJECTED_ERROR, MODEL_REJECTED_STATE } from '../ports/pipeline-control';
import { isQualityVerdict } from '../quality-gate';
import { generationName } from '../execution-input';

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;

export function validateStateMachineArn(arn: string): string {
  if (typeof arn !== 'string' || !STATE_MACHINE_ARN.test(arn)) {
    throw new ValidationError(`${JSON.stringify(arn)} is not a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)`, { field: 'stateMachineArn' });
  }
  return arn;
}

/** An execution ARN as given, or the one a bare execution name has under this state machine. */
export function executionArnFor(stateMachineArn: string, idOrName: string): string {
  if (idOrName.startsWith('arn:')) return idOrName;
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${idOrName}`;
}

export function summarizeExecution(described: DescribeExecutionOutput): ExecutionSummary {
  const id = described.executionArn ?? '';
  const status = ((EXECUTION_STATUSES as readonly unknown[]).includes(described.status) ? described.status : 'RUNNING') as ExecutionStatus;
  const startedAt = described.startDate ?? new Date(0);
  const output = parseObject(described.output);
  const input = parseObject(described.input);
  const rejected = status === 'FAILED' && described.error === MODEL_REJECTED_ERROR;
  const fromOutput = path(output, 'quality', 'verdict');
  const fromCause = rejected ? parseObject(described.cause) : undefined;
  const quality = isQualityVerdict(fromOutput) ? fromOutput : isQualityVerdict(fromCause) ? fromCause : undefined;
  const generation = asString(path(output, 'run', 'generation')) ?? quality?.generation ?? asString(path(input, 'generation')) ?? generationName(startedAt);
  const failure: RunFailure | undefined =
    status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED' || status === 'PENDING_REDRIVE'
      ? { ...(rejected && { state: MODEL_REJECTED_STATE }), error: described.error ?? status, cause: described.cause ?? '' }
      : undefined;
  return {
    id,
    name: described.name ?? id.split(':').pop() ?? id,
    status,
    startedAt,
    ...(described.stopDate && { stoppedAt: described.stopDate }),
    generation,
    ...(quality && { quality }),
    ...(failure && { failure }),
  };
}

/** The JSON object a field holds; undefined for absent, malformed or non-object JSON (an output over 256 KB is absent). */
function parseObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function path(value: unknown, ...keys: string[]): unknown {
  return keys.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

