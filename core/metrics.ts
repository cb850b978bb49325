/** Ranking metrics for the evaluation and the index benchmark. Pure; ids are compared with ===. */
import { ValidationError } from './errors';

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k ${k} is invalid: expected a positive integer`, { field: 'k' });
}

/** Share of the first k results that are relevant; a list shorter than k counts the missing places as misses. */
export function precisionAtK(ranked: readonly string[], isRelevant: (id: string) => boolean, k: number): number {
  checkK(k);
  let hits = 0;
  for (const id of ranked.slice(0, k)) if (isRelevant(id)) hits++;
  return hits / k;
}

/**
 * Share of the reference's first k ids found among the first k results, e.g. approximate k-NN vs exact search.
 * Divides by min(k, reference length) so a short reference can still reach 1; an empty reference gives 1.
 */
export function recallAtK(ranked: readonly string[], reference: readonly string[], k: number): number {
  checkK(k);
  const expected = new Set(reference.slice(0, k));
  if (expected.size === 0) return 1;
  let found = 0;
  for (const id of new Set(ranked.slice(0, k))) if (expected.has(id)) found++;
  return found / expected.size;
}

export interface NdcgOptions {
  /**
   * Every id that could have been returned (e.g. the whole library): the ideal ordering is taken over it.
   * @default the ranked list itself, which scores only the ordering of what was returned
   */
  readonly pool?: Iterable<string>;
  /** 'exponential' is 2^rel - 1 (Burges et al.), 'linear' is rel (Järvelin and Kekäläinen). @default 'exponential' */
  readonly gain?: 'exponential' | 'linear';
}

/** NDCG@k with graded relevance (rel >= 0, 0 = irrelevant); 0 when no id in the pool is relevant. */
export function ndcgAtK(ranked: readonly string[], relevance: (id: string) => number, k: number, options: NdcgOptions = {}): number {
  checkK(k);
  const gain = options.gain === 'linear' ? (rel: number) => rel : (rel: number) => 2 ** rel - 1;
  const grade = (id: string): number => {
    const rel = relevance(id);
    if (!Number.isFinite(rel) || rel < 0) throw new ValidationError(`relevance of "${id}" is ${rel}: expected a finite number >= 0`, { field: 'relevance' });
    return rel;
  };
  const dcg = (grades: readonly number[]): number => grades.slice(0, k).reduce((sum, rel, i) => sum + gain(rel) / Math.log2(i + 2), 0);
  const pool = new Set([...(options.pool ?? []), ...ranked]);
  const ideal = dcg([...pool].map(grade).sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ranked.map(grade)) / ideal;
}

/** Arithmetic mean; an empty list is an error rather than NaN so a missing evaluation cannot pass silently. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new ValidationError('cannot take the mean of an empty list', { field: 'values' });
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
