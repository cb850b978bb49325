/**
 * Pipeline step "Check no other run": refuses to start while another run is in progress, and names this run's
 * generation (from the input when given, else from the start time) so every later step agrees on it, and the quality
 * gate's tolerance for this run (the input's, else the configured one).
 */
import { ValidationError } from '../core/errors';
import { checkQualityTolerance, generationName, parseExecutionInput } from '../core/execution-input';
import type { ExecutionGuard } from '../core/ports/execution-guard';
import type { StepContext } from './task-input';
import { requireString } from './task-input';

export interface GuardEvent extends StepContext {
  readonly executionId: string;
  /** ISO 8601, `$$.Execution.StartTime`. */
  readonly startTime: string;
  /** The execution input: `{}`, `{ "generation": "gen-..." }`, `{ "qualityTolerance": 0.05 }`. */
  readonly input?: unknown;
  /** The configured quality gate tolerance, for a run whose input sets none. */
  readonly qualityTolerance: number;
}

export interface GuardResult {
  readonly generation: string;
  /** The quality gate's tolerance for this run: the input's, else the configured one. */
  readonly qualityTolerance: number;
}

export function makeGuardHandler(deps: { readonly guard: ExecutionGuard }): (event: GuardEvent) => Promise<GuardResult> {
  return async (event) => {
    const runId = requireString(event, 'executionId');
    const startedAt = new Date(requireString(event, 'startTime'));
    if (Number.isNaN(startedAt.getTime())) throw new ValidationError(`startTime "${event.startTime}" is not a date`, { field: 'startTime' });
    const configured = checkQualityTolerance(event.qualityTolerance, 'qualityTolerance');
    const input = parseExecutionInput(event.input ?? {});
    const generation = input.generation ?? generationName(startedAt);
    await deps.guard.claim({ runId, startedAt });
    return { generation, qualityTolerance: input.qualityTolerance ?? configured };
  };
}
