/**
 * The local stand-in for Personalize's offline solution metrics (GetSolutionMetrics): each user's latest events are
 * held out, a ranker is trained on the rest with the version's own hyper-parameters, and for every user with held-out
 * events every item is ranked; an item is relevant when it is among that user's held-out items. NDCG@10 (binary
 * relevance) and precision@10 are averaged over those users. Deterministic: the training is seeded and ties keep the
 * items' sorted order. https://docs.aws.amazon.com/personalize/latest/dg/working-with-training-metrics.html
 */
import { InsufficientDataError, ValidationError } from '../errors';
import { holdOutLatest } from '../interaction-split';
import type { InteractionRow } from '../interactions';
import type { Ranker } from '../ports/ranker';
import { mean, ndcgAtK, precisionAtK } from '../metrics';
import { SOLUTION_METRIC_KEYS } from '../quality-gate';
import { MAX_INPUT_LIST } from '../ranker-input';
import { LocalRanker } from './local-ranker';
import type { RankerHyperParameters } from './ranker-model-file';
import { trainLocalRanker } from './ranker-training';

/** The cut-off of both figures, as in their GetSolutionMetrics names. */
const CUTOFF = 10;

export interface OfflineMetricsOptions {
  /** Latest events held out per user (each user keeps at least two for training). @default 5 */
  readonly heldOutPerUser?: number;
  /** The version's hyper-parameters, so the measured model is trained like the deployed one. @default the defaults */
  readonly hyperParameters?: Partial<RankerHyperParameters>;
}

export interface OfflineMetrics {
  /** Under GetSolutionMetrics' names, as `getSolutionMetrics` returns them. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Users with held-out events (the average is over them). */
  readonly users: number;
  readonly heldOutEvents: number;
  /** Distinct items ranked for each user. */
  readonly items: number;
}

export async function rankerOfflineMetrics(rows: readonly InteractionRow[], options: OfflineMetricsOptions = {}): Promise<OfflineMetrics> {
  const heldOutPerUser = options.heldOutPerUser ?? 5;
  if (!Number.isInteger(heldOutPerUser) || heldOutPerUser < 1) {
    throw new ValidationError(`heldOutPerUser ${heldOutPerUser} is invalid: expected a positive integer`, { field: 'heldOutPerUser' });
  }
  const split = holdOutLatest(rows, heldOutPerUser);
  if (split.heldOut.size === 0) {
    throw new InsufficientDataError(`no user has more than 2 of the ${rows.length} interactions: nothing can be held out to measure the model`);
  }
  const ranker = new LocalRanker(trainLocalRanker(split.train, options.hyperParameters));
  const items = [...new Set(rows.map((row) => row.itemId))].sort();
  const ndcg: number[] = [];
  const precision: number[] = [];
  let heldOutEvents = 0;
  // Sorted user ids: the same rows give the same figures whatever their order.
  for (const userId of [...split.heldOut.keys()].sort()) {
    const heldOut = split.heldOut.get(userId) as InteractionRow[];
    heldOutEvents += heldOut.length;
    const relevant = new Set(heldOut.map((row) => row.itemId));
    const top = await topRankedItems(ranker, userId, items, CUTOFF);
    ndcg.push(ndcgAtK(top, (id) => (relevant.has(id) ? 1 : 0), CUTOFF, { pool: items }));
    precision.push(precisionAtK(top, (id) => relevant.has(id), CUTOFF));
  }
  return {
    metrics: { [SOLUTION_METRIC_KEYS.ndcgAt10]: mean(ndcg), [SOLUTION_METRIC_KEYS.precisionAt10]: mean(precision) },
    users: ndcg.length,
    heldOutEvents,
    items: items.length,
  };
}

/**
 * The user's first `n` items among all of `items`. A ranking call takes at most MAX_INPUT_LIST ids and its scores are
 * normalised per call, so a longer list is ranked in chunks and the chunks' leaders ranked again: every item of the
 * overall top n leads its own chunk.
 */
export async function topRankedItems(ranker: Ranker, userId: string, items: readonly string[], n: number): Promise<string[]> {
  let candidates = items;
  while (candidates.length > MAX_INPUT_LIST) {
    const leaders: string[] = [];
    for (let i = 0; i < candidates.length; i += MAX_INPUT_LIST) {
      const ranked = await ranker.rank({ userId, inputList: candidates.slice(i, i + MAX_INPUT_LIST) });
      leaders.push(...ranked.slice(0, n).map((r) => r.itemId));
    }
    candidates = leaders;
  }
  return (await ranker.rank({ userId, inputList: [...candidates] })).slice(0, n).map((r) => r.itemId);
}
