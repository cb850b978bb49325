/**
 * Trains the local stand-in for Personalize's Personalized-Ranking recipe: iALS over (user, cluster item) pairs whose
 * confidence grows with event weight (favorite/download > view) and decays with age relative to the newest event.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';
import { createRandom } from '../random';
import { EVENT_TYPES } from '../ports/ranker';
import type { InteractionRow } from '../interactions';
import { trainIals } from './ials';
import type { SparseRow } from './ials';
import type { HistoryEntry, RankerHyperParameters, RankerModel } from './ranker-model-file';

const SECONDS_PER_DAY = 86_400;

// Chosen on synthetic users with planted favourites (100 x 12 clusters and 300 x 48): favourite in the top 2 for
// 96% and 97% of users, and a new user's first events lift the clicked cluster's neighbours too.
export const DEFAULT_RANKER_HYPER_PARAMETERS: RankerHyperParameters = {
  factors: 24,
  regularization: 0.5,
  alpha: 5,
  iterations: 12,
  seed: 1,
  eventWeights: { view: 1, favorite: 4, download: 3 },
  halfLifeDays: 30,
  historyBoost: 0.3,
  temperature: 0.2,
  historyOrderDecay: 0.95,
  liveEventDecay: 0.7,
  historyMassCap: 10,
};

export function trainLocalRanker(rows: Iterable<InteractionRow>, options: Partial<RankerHyperParameters> = {}): RankerModel {
  const hyper: RankerHyperParameters = { ...DEFAULT_RANKER_HYPER_PARAMETERS, ...options };
  validateHyperParameters(hyper);
  const all: InteractionRow[] = [];
  let referenceTimestamp = -Infinity;
  for (const row of rows) {
    if (!EVENT_TYPES.includes(row.eventType)) {
      throw new ValidationError(`interaction of user "${row.userId}" has event type "${row.eventType}": expected one of ${EVENT_TYPES.join(', ')}`, { field: 'eventType' });
    }
    if (!Number.isFinite(row.timestamp)) throw new ValidationError(`interaction of user "${row.userId}" has timestamp ${row.timestamp}`, { field: 'timestamp' });
    all.push(row);
    if (row.timestamp > referenceTimestamp) referenceTimestamp = row.timestamp;
  }
  if (all.length === 0) throw new ValidationError('cannot train the ranker on zero interactions', { field: 'interactions' });

  // Sorted ids make the model independent of row order (apart from floating-point summation order).
  const items = [...new Set(all.map((r) => r.itemId))].sort();
  const users = [...new Set(all.map((r) => r.userId))].sort();
  const itemIndex = new Map(items.map((id, i) => [id, i]));
  const userIndex = new Map(users.map((id, i) => [id, i]));
  const halfLifeSeconds = hyper.halfLifeDays * SECONDS_PER_DAY;
  const perUser = users.map(() => new Map<number, { mass: number; latestTimestamp: number }>());
  const laterEvents = countLaterEventsOfUser(all);
  for (const [r, row] of all.entries()) {
    const history = perUser[userIndex.get(row.userId) as number] as Map<number, { mass: number; latestTimestamp: number }>;
    const item = itemIndex.get(row.itemId) as number;
    // Age decays an event globally; its place in the user's own sequence decays it per user, so a user whose
    // latest events moved to another style is ranked by the new style even when the switch took only days.
    const decay = 0.5 ** ((referenceTimestamp - row.timestamp) / halfLifeSeconds) * hyper.historyOrderDecay ** (laterEvents[r] as number);
    const entry = history.get(item) ?? { mass: 0, latestTimestamp: row.timestamp };
    entry.mass += hyper.eventWeights[row.eventType] * decay;
    entry.latestTimestamp = Math.max(entry.latestTimestamp, row.timestamp);
    history.set(item, entry);
  }
  const histories: HistoryEntry[][] = perUser.map((history) =>
    [...history].sort(([a], [b]) => a - b).map(([item, e]) => ({ item, mass: e.mass, latestTimestamp: e.latestTimestamp })),
  );
  const userRows: SparseRow[] = histories.map((history) => ({
    indices: Int32Array.from(history, (e) => e.item),
    weights: Float64Array.from(history, (e) => e.mass),
  }));
  const itemPopularity = new Float64Array(items.length);
  for (const history of histories) for (const e of history) itemPopularity[e.item] = (itemPopularity[e.item] as number) + e.mass;

  const { userFactors, itemFactors } = trainIals(userRows, items.length, { ...hyper, random: createRandom(hyper.seed) });
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ hyper, items, users, referenceTimestamp }));
  hash.update(new Uint8Array(itemFactors.buffer));
  hash.update(new Uint8Array(userFactors.buffer));
  return {
    version: `ials-${hash.digest('hex').slice(0, 12)}`,
    hyperParameters: hyper,
    referenceTimestamp,
    items,
    itemFactors,
    itemPopularity,
    users,
    userFactors,
    histories,
  };
}

/** For each row, how many of the same user's events come after it (by timestamp; ties by row order). */
function countLaterEventsOfUser(rows: readonly InteractionRow[]): Int32Array {
  const later = new Int32Array(rows.length);
  const byUser = new Map<string, number[]>();
  rows.forEach((row, i) => {
    const list = byUser.get(row.userId);
    if (list) list.push(i);
    else byUser.set(row.userId, [i]);
  });
  for (const list of byUser.values()) {
    list.sort((a, b) => (rows[a] as InteractionRow).timestamp - (rows[b] as InteractionRow).timestamp || a - b);
    list.forEach((row, position) => {
      later[row] = list.length - 1 - position;
    });
  }
  return later;
}

function validateHyperParameters(h: RankerHyperParameters): void {
  const rule = (ok: boolean, field: string, expected: string, value: unknown): void => {
    if (!ok) throw new ValidationError(`ranker ${field} ${String(value)} is invalid: expected ${expected}`, { field });
  };
  rule(Number.isInteger(h.factors) && h.factors >= 1 && h.factors <= 256, 'factors', 'an integer in 1..256', h.factors);
  rule(h.regularization > 0, 'regularization', 'a number > 0', h.regularization);
  rule(h.alpha >= 0 && Number.isFinite(h.alpha), 'alpha', 'a finite number >= 0', h.alpha);
  rule(Number.isInteger(h.iterations) && h.iterations >= 1, 'iterations', 'a positive integer', h.iterations);
  rule(Number.isInteger(h.seed), 'seed', 'an integer', h.seed);
  rule(h.halfLifeDays > 0, 'halfLifeDays', 'a number > 0', h.halfLifeDays);
  rule(h.historyBoost >= 0 && Number.isFinite(h.historyBoost), 'historyBoost', 'a finite number >= 0', h.historyBoost);
  rule(h.temperature > 0 && Number.isFinite(h.temperature), 'temperature', 'a finite number > 0', h.temperature);
  rule(h.historyOrderDecay > 0 && h.historyOrderDecay <= 1, 'historyOrderDecay', 'a number in (0, 1]', h.historyOrderDecay);
  rule(h.liveEventDecay > 0 && h.liveEventDecay <= 1, 'liveEventDecay', 'a number in (0, 1]', h.liveEventDecay);
  rule(h.historyMassCap > 0, 'historyMassCap', 'a number > 0', h.historyMassCap);
  for (const type of EVENT_TYPES) {
    const w = h.eventWeights[type];
    rule(Number.isFinite(w) && w >= 0, `eventWeights.${type}`, 'a finite number >= 0', w);
  }
}
