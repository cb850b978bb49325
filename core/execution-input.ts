/**
 * The retraining execution's input, checked in one place: by the CLI before it starts a run (so a mistake costs no
 * Step Functions execution) and by the "Check no other run" step (so a console or API start is held to the same rule).
 */
import { assertClusterGeneration } from './cluster-items';
import { ValidationError } from './errors';

/** A type, not an interface, so it is assignable to the port's `Record<string, unknown>` input. */
export type ExecutionInput = {
  /** Name for the generation the run builds; the guard step names it from the start time when absent. */
  readonly generation?: string;
};

const INPUT_FIELDS = new Set(['generation']);

/** SageMaker job names are "kmeans-assign-<generation>", at most 63 characters. */
export const MAX_GENERATION_LENGTH = 49;

/** `gen-YYYYMMDD-HHMMSS` in UTC: sorts by time, and fits SageMaker, Personalize and OpenSearch names. */
export function generationName(startedAt: Date): string {
  const iso = startedAt.toISOString();
  return `gen-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** `{}` or `{ "generation": "<name>" }`; anything else is a ValidationError naming the field at fault. */
export function parseExecutionInput(raw: unknown): ExecutionInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError('the execution input must be a JSON object: {} or {"generation": "gen-..."}', { field: 'input' });
  }
  const unknown = Object.keys(raw).filter((key) => !INPUT_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new ValidationError(`the execution input has unknown fields ${unknown.join(', ')}: only "generation" is accepted`, { field: 'input' });
  }
  const generation = (raw as { generation?: unknown }).generation;
  if (generation === undefined) return {};
  if (typeof generation !== 'string') throw new ValidationError('input.generation must be a string', { field: 'generation' });
  if (generation.length > MAX_GENERATION_LENGTH) {
    throw new ValidationError(`input.generation "${generation}" is longer than ${MAX_GENERATION_LENGTH} characters`, { field: 'generation' });
  }
  try {
    assertClusterGeneration(generation);
  } catch (error) {
    throw new ValidationError(`input.generation: ${(error as Error).message}`, { field: 'generation', cause: error });
  }
  return { generation };
}
