/** Turns a port `SearchFilter` into a predicate over one stored record's cluster and metadata. */
import { ValidationError } from '../errors';
import type { SearchFilter } from '../ports/vector-index';

export type RecordPredicate = (cluster: number, metadata: Readonly<Record<string, string>>) => boolean;

/** `cluster` values compare as numbers, metadata values as strings; a field listed with no values matches nothing. */
export function compileFilter(filter: SearchFilter): RecordPredicate {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) {
    throw new ValidationError('filter must be an object of field -> allowed values', { field: 'filter' });
  }
  const tests: RecordPredicate[] = [];
  for (const [field, values] of Object.entries(filter)) {
    if (!Array.isArray(values)) {
      throw new ValidationError(`filter field "${field}" must list its allowed values in an array`, { field: 'filter' });
    }
    if (field === 'cluster') {
      const allowed = new Set(values.map((v) => Number(v)));
      for (const v of allowed) {
        if (!Number.isInteger(v)) throw new ValidationError(`filter on cluster needs integer ids, got ${JSON.stringify(values)}`, { field: 'filter' });
      }
      tests.push((cluster) => allowed.has(cluster));
    } else {
      const allowed = new Set(values.map((v) => String(v)));
      tests.push((_cluster, metadata) => {
        const value = Object.hasOwn(metadata, field) ? metadata[field] : undefined;
        return value !== undefined && allowed.has(value);
      });
    }
  }
  return (cluster, metadata) => tests.every((test) => test(cluster, metadata));
}
