/** Field checks shared by the pipeline handlers: a state machine payload is untyped JSON. */
import { ValidationError } from '../core/errors';

export function requireString(event: object, field: string): string {
  const value = (event as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`${field} is required: a non-empty string`, { field });
  return value;
}

export function requireInteger(event: object, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = (event as Record<string, unknown>)[field];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${field} must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`, { field });
  }
  return value;
}

/** The fields every pipeline step receives for logs and metrics. */
export interface StepContext {
  readonly executionId?: string;
  readonly step?: string;
}
