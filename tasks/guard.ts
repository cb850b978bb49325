/**
 * Pipeline step "Check no other run": refuses to start while another run is in progress, and names this run's
 * generation (from the input when given, else from the start time) so every later step agrees on it.
 */
import { assertClusterGeneration } from '../core/cluster-items';
import { ValidationError } from '../core/errors';
import type { ExecutionGuard } from '../core/ports/execution-guard';
import type { StepContext } from './task-input';
import { requireString } from './task-input';

export interface GuardEvent extends StepContext {
  readonly executionId: string;
  /** ISO 8601, `$$.Execution.StartTime`. */
  readonly startTime: string;
  /** The execution input: `{}` or `{ "generation": "gen-..." }`. */
  readonly input?: unknown;
}

export interface GuardResult {
  readonly generation: string;
}

/** `gen-YYYYMMDD-HHMMSS` in UTC: sorts by time, and fits SageMaker, Personalize and OpenSearch names. */
export function generationName(startedAt: Date): string {
  const iso = startedAt.toISOString();
  return `gen-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

const INPUT_FIELDS = new Set(['generation']);

export function makeGuardHandler(deps: { readonly guard: ExecutionGuard }): (event: GuardEvent) => Promise<GuardResult> {
  return async (event) => {
    const runId = requireString(event, 'executionId');
    const startedAt = new Date(requireString(event, 'startTime'));
    if (Number.isNaN(startedAt.getTime())) throw new ValidationError(`startTime "${event.startTime}" is not a date`, { field: 'startTime' });
    const input = event.input ?? {};
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new ValidationError('the execution input must be a JSON object: {} or {"generation": "gen-..."}', { field: 'input' });
    }
    const unknown = Object.keys(input).filter((key) => !INPUT_FIELDS.has(key));
    if (unknown.length > 0) {
      throw new ValidationError(`the execution input has unknown fields ${unknown.join(', ')}: only "generation" is accepted`, { field: 'input' });
    }
    const requested = (input as { generation?: unknown }).generation;
    if (requested !== undefined && typeof requested !== 'string') {
      throw new ValidationError('input.generation must be a string', { field: 'generation' });
    }
    const generation = requested ?? generationName(startedAt);
    // SageMaker job names are "kmeans-assign-<generation>", at most 63 characters.
    if (generation.length > 49) throw new ValidationError(`generation "${generation}" is longer than 49 characters`, { field: 'generation' });
    assertClusterGeneration(generation);
    await deps.guard.claim({ runId, startedAt });
    return { generation };
  };
}
