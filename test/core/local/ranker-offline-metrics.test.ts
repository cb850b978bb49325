import { describe, expect, it } from 'vitest';
import { InsufficientDataError } from '../../../core/errors';
import type { InteractionRow } from '../../../core/interactions';
import { LocalRanker } from '../../../core/local/local-ranker';
import { rankerOfflineMetrics, topRankedItems } from '../../../core/local/ranker-offline-metrics';
import { trainLocalRanker } from '../../../core/local/ranker-training';
import { createRandom } from '../../../core/random';
import { syntheticInteractions } from './synthetic-interactions';

const NDCG = 'normalized_discounted_cumulative_gain_at_10';
const PRECISION = 'precision_at_10';

/** The same events with the item column shuffled across rows: every user's taste is gone, the volume is the same. */
function shuffleItems(rows: readonly InteractionRow[], seed: number): InteractionRow[] {
  const items = createRandom(seed).shuffle(rows.map((row) => row.itemId));
  return rows.map((row, i) => ({ ...row, itemId: items[i] as string }));
}

describe('rankerOfflineMetrics', () => {
  const { rows } = syntheticInteractions({ users: 120, clusters: 48, groupSize: 3, eventsPerUser: 30, seed: 11 });

  it('scores a ranker trained on real interactions clearly above one trained on the same events shuffled', async () => {
    const real = await rankerOfflineMetrics(rows);
    const shuffled = await rankerOfflineMetrics(shuffleItems(rows, 5));
    expect(real).toMatchObject({ users: 120, heldOutEvents: 600, items: 48 });
    // Measured: real ndcg@10 0.730, precision@10 0.195; shuffled 0.230 and 0.141.
    expect(real.metrics[NDCG]).toBeGreaterThan(0.6);
    expect(shuffled.metrics[NDCG]).toBeLessThan(0.35);
    expect(real.metrics[PRECISION]).toBeGreaterThan((shuffled.metrics[PRECISION] as number) + 0.03);
  });

  it('gives the same figures for the same events in any order', async () => {
    const reordered = createRandom(3).shuffle(rows.slice());
    expect(await rankerOfflineMetrics(reordered)).toEqual(await rankerOfflineMetrics(rows));
  });

  it('ranks more items than one ranking call takes, and still finds the held-out ones', async () => {
    const many = syntheticInteractions({ users: 100, clusters: 1200, groupSize: 4, eventsPerUser: 40, seed: 2, favouriteShare: 0.7 });
    const result = await rankerOfflineMetrics(many.rows);
    expect(result.items).toBe(639);
    expect(result.metrics[NDCG]).toBeGreaterThan(0.6);

    // The reference order: each item ranked against one fixed other item, whose share grows with the item's score.
    const ranker = new LocalRanker(trainLocalRanker(many.rows));
    const items = [...new Set(many.rows.map((r) => r.itemId))].sort();
    for (const userId of ['user-0003', 'user-0042']) {
      const anchor = items[0] as string;
      const shares = await Promise.all(items.slice(1).map(async (itemId) => {
        const ranked = await ranker.rank({ userId, inputList: [anchor, itemId] });
        return { itemId, share: ranked.find((r) => r.itemId === itemId)?.score as number };
      }));
      const reference = [...shares, { itemId: anchor, share: 0.5 }].sort((a, b) => b.share - a.share).slice(0, 10).map((s) => s.itemId);
      expect(await topRankedItems(ranker, userId, items, 10)).toEqual(reference);
    }
  });

  it('refuses interactions where no user has an event to hold out', async () => {
    const twoEach = [...new Map(rows.map((r) => [r.userId, rows.filter((x) => x.userId === r.userId).slice(0, 2)])).values()].flat();
    await expect(rankerOfflineMetrics(twoEach)).rejects.toThrow(InsufficientDataError);
    await expect(rankerOfflineMetrics(twoEach)).rejects.toThrow(/no user has more than 2 of the 240 interactions/);
  });
});
