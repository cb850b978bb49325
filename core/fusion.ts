/**
 * Blends k-NN similarity with the user's preference for each candidate's cluster. Three strategies from the peers:
 * - 'weighted-mean' (the seed article): (1 - w) * simNorm + w * prefNorm, both min-max normalised over the candidates,
 *   because the ranker's scores sum to 1 over its input list and so shrink as the list grows.
 * - 'rank-fusion' (OpenSearch's personalize_search_ranking processor): (1 - w)/log2(osRank + 1) + w/log2(pRank + 1).
 * - 'replace' (Retail Demo Store): the ranker's order wins and similarity only breaks ties.
 * With no preferences (a user without history) or w = 0 every strategy returns exactly the similarity order.
 */
import { ValidationError } from './errors';

export type FusionStrategy = 'weighted-mean' | 'rank-fusion' | 'replace';
export const FUSION_STRATEGIES: readonly FusionStrategy[] = ['weighted-mean', 'rank-fusion', 'replace'];

export interface FusionCandidate {
  readonly id: string;
  /** Cosine similarity to the query. */
  readonly similarity: number;
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface FusionOptions {
  /** @default 'weighted-mean' */
  readonly strategy?: FusionStrategy;
  /** Share of the preference in [0, 1]; 0 is pure similarity. For 'replace' any w > 0 means the ranker's order. */
  readonly weight: number;
  /** How many results to return. @default all candidates */
  readonly k?: number;
}

export interface FusedResult {
  readonly id: string;
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly similarity: number;
  /** Similarity min-max normalised over the candidates; 1 when all are equal. */
  readonly similarityNorm: number;
  /** The cluster's preference min-max normalised over the candidates (0 when the ranker gave none); undefined without preferences. */
  readonly preference: number | undefined;
  /** The blended score the results are sorted by (for 'replace': the normalised preference; ties by similarity). */
  readonly score: number;
  /** 1-based position in the similarity order. */
  readonly baselineRank: number;
  /** 1-based position after re-ranking. */
  readonly rank: number;
}

/** Re-ranks candidates by similarity and cluster preference and returns the top k; ties keep the similarity order. */
export function rerank(
  candidates: readonly FusionCandidate[],
  preferences: ReadonlyMap<number, number> | undefined,
  options: FusionOptions,
): FusedResult[] {
  const strategy = options.strategy ?? 'weighted-mean';
  const weight = options.weight;
  const k = options.k ?? candidates.length;
  if (!FUSION_STRATEGIES.includes(strategy)) {
    throw new ValidationError(`strategy "${String(strategy)}" is unknown: use one of ${FUSION_STRATEGIES.join(', ')}`, { field: 'strategy' });
  }
  if (typeof weight !== 'number' || !(weight >= 0 && weight <= 1)) {
    throw new ValidationError(`weight ${weight} is out of range: expected a number in [0, 1]`, { field: 'weight' });
  }
  if (!Number.isInteger(k) || k < 1) {
    throw new ValidationError(`k ${k} is invalid: expected a positive integer`, { field: 'k' });
  }
  for (const candidate of candidates) {
    if (!Number.isFinite(candidate.similarity)) {
      throw new ValidationError(`candidate "${candidate.id}" has similarity ${candidate.similarity}: expected a finite number`, { field: 'candidates' });
    }
  }
  for (const [cluster, value] of preferences ?? []) {
    if (!Number.isFinite(value)) {
      throw new ValidationError(`preference for cluster ${cluster} is ${value}: expected a finite number`, { field: 'preferences' });
    }
  }

  // Baseline: similarity descending, input order among equals.
  const baseline = candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort((a, b) => b.candidate.similarity - a.candidate.similarity || a.index - b.index)
    .map(({ candidate }) => candidate);
  const simNorm = minMax(baseline.map((c) => c.similarity));
  const rawPreference = baseline.map((c) => preferences?.get(c.cluster));
  const prefNorm = minMaxOptional(rawPreference);

  const personalised = preferences !== undefined && weight > 0;
  const preferenceRank = denseRanks(rawPreference);
  const scored = baseline.map((candidate, i) => {
    const s = simNorm[i] as number;
    const p = prefNorm[i] as number;
    let score: number;
    if (!personalised) score = s;
    else if (strategy === 'weighted-mean') score = (1 - weight) * s + weight * p;
    else if (strategy === 'rank-fusion') score = (1 - weight) / Math.log2(i + 2) + weight / Math.log2((preferenceRank[i] as number) + 1);
    else score = p;
    return {
      id: candidate.id,
      cluster: candidate.cluster,
      metadata: candidate.metadata,
      similarity: candidate.similarity,
      similarityNorm: s,
      preference: preferences === undefined ? undefined : p,
      score,
      baselineRank: i + 1,
    };
  });
  // Baseline order is similarity order, so for 'replace' the tie-break by baseline rank is the tie-break by similarity.
  const ordered = personalised ? scored.slice().sort((a, b) => b.score - a.score || a.baselineRank - b.baselineRank) : scored;
  return ordered.slice(0, k).map((result, i) => ({ ...result, rank: i + 1 }));
}

/** A short human "why" for a result, for tooltips and logs. */
export function explain(result: FusedResult): string {
  const similarity = `similarity ${result.similarity.toFixed(2)}`;
  if (result.preference === undefined) return `${similarity} (cluster ${result.cluster}; not personalised)`;
  const moved = result.rank < result.baselineRank ? `, up from ${result.baselineRank}` : result.rank > result.baselineRank ? `, down from ${result.baselineRank}` : '';
  return `${similarity} · preference ${result.preference.toFixed(2)} (cluster ${result.cluster})${moved}`;
}

/** Min-max to [0, 1]; all equal (or a single value) -> 1, so a lone candidate is not penalised. */
function minMax(values: readonly number[]): number[] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.map((v) => (max > min ? (v - min) / (max - min) : 1));
}

/** Min-max over the values present; a missing value (a cluster the ranker did not score) -> 0. */
function minMaxOptional(values: readonly (number | undefined)[]): number[] {
  const present = values.filter((v): v is number => v !== undefined);
  const normalised = minMax(present);
  let next = 0;
  return values.map((v) => (v === undefined ? 0 : (normalised[next++] as number)));
}

/**
 * 1-based dense ranks by value descending: equal values (candidates of one cluster) share a rank, like a cluster's
 * position in the ranker's response; missing values rank after all present ones.
 */
function denseRanks(values: readonly (number | undefined)[]): number[] {
  const distinct = [...new Set(values.filter((v): v is number => v !== undefined))].sort((a, b) => b - a);
  const rankOf = new Map(distinct.map((v, i) => [v, i + 1]));
  return values.map((v) => (v === undefined ? distinct.length + 1 : (rankOf.get(v) as number)));
}
