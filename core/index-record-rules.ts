/** What makes an IndexRecord storable, shared by every VectorIndex adapter so they reject the same records alike. */
import { DimensionMismatchError } from './errors';
import type { IndexRecord } from './ports/vector-index';

/** Why the record cannot be indexed at this dimension, or undefined when it can. */
export function recordProblem(record: IndexRecord, dimension: number): string | undefined {
  if (record === null || typeof record !== 'object') return 'record must be an object';
  if (typeof record.id !== 'string' || record.id.length === 0) return 'id must be a non-empty string';
  if (!(record.vector instanceof Float32Array)) return 'vector must be a Float32Array';
  if (record.vector.length !== dimension) return new DimensionMismatchError(dimension, record.vector.length).message;
  if (!record.vector.every(Number.isFinite)) return 'vector has a NaN or infinite component';
  if (!record.vector.some((x) => x !== 0)) return 'vector is all zeros, so it has no direction for cosine similarity';
  if (!Number.isInteger(record.cluster)) return `cluster must be an integer, got ${String(record.cluster)}`;
  if (record.metadata === null || typeof record.metadata !== 'object') return 'metadata must be an object of strings';
  for (const [key, value] of Object.entries(record.metadata)) {
    if (typeof value !== 'string') return `metadata field "${key}" must be a string`;
  }
  return undefined;
}
