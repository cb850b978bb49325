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
  /**
   * This run's quality gate tolerance instead of the configured one: the way past the gate when the data itself has
   * changed (offline figures of models trained on different data are not strictly comparable). 1 lets any model through.
   */
  readonly qualityTolerance?: number;
};

const INPUT_FIELDS = new Set(['generation', 'qualityTolerance']);

/** SageMaker job names are "kmeans-assign-<generation>", at most 63 characters. */
export const MAX_GENERATION_LENGTH = 49;

/** `gen-YYYYMMDD-HHMMSS` in UTC: sorts by time, and fits SageMaker, Personalize and OpenSearch names. */
export function generationName(startedAt: Date): string {
  const iso = startedAt.toISOString();
  return `gen-${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
}

/** `{}`, `{ "generation": "<name>" }` and/or `{ "qualityTolerance": <0..1> }`; anything else is a ValidationError naming the field at fault. */
export function parseExecutionInput(raw: unknown): ExecutionInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ValidationError('the execution input must be a JSON object: {}, {"generation": "gen-..."} or {"qualityTolerance": 0.05}', { field: 'input' });
  }
  const unknown = Object.keys(raw).filter((key) => !INPUT_FIELDS.has(key));
  if (unknown.length > 0) {
    throw new ValidationError(`the execution input has unknown fields ${unknown.join(', ')}: only "generation" and "qualityTolerance" are accepted`, { field: 'input' });
  }
  const { generation, qualityTolerance } = raw as { generation?: unknown; qualityTolerance?: unknown };
  return {
    ...(generation !== undefined && { generation: checkGeneration(generation) }),
    ...(qualityTolerance !== undefined && { qualityTolerance: checkQualityTolerance(qualityTolerance, 'input.qualityTolerance') }),
  };
}

/** An absolute drop in [0, 1] on each offline figure (they are in [0, 1] themselves). */
export function checkQualityTolerance(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new ValidationError(`${field} ${JSON.stringify(value)} is invalid: expected a number from 0 to 1`, { field });
  }
  return value;
}

function checkGeneration(generation: unknown): string {
  if (typeof generation !== 'string') throw new ValidationError('input.generation must be a string', { field: 'generation' });
  if (generation.length > MAX_GENERATION_LENGTH) {
    throw new ValidationError(`input.generation "${generation}" is longer than ${MAX_GENERATION_LENGTH} characters`, { field: 'generation' });
  }
  try {
    assertClusterGeneration(generation);
  } catch (error) {
    throw new ValidationError(`input.generation: ${(error as Error).message}`, { field: 'generation', cause: error });
  }
  return generation;
}
