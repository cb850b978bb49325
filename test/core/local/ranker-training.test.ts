import { describe, expect, it } from 'vitest';
import type { InteractionRow } from '../../../core/interactions';
import { LocalRanker } from '../../../core/local/local-ranker';
import { trainLocalRanker } from '../../../core/local/ranker-training';
import { END_TIMESTAMP, item, syntheticInteractions } from './synthetic-interactions';

const HOUR = 3600;

/** A user who spent weeks on one cluster and then, in their latest events over a few days, moved to another. */
function switchingUser(before: number, after: number, beforeCount: number, afterCount: number): InteractionRow[] {
  const start = END_TIMESTAMP - 90 * 24 * HOUR;
  const rows: InteractionRow[] = [];
  for (let i = 0; i < beforeCount; i++) rows.push({ userId: 'switcher', itemId: item(before), timestamp: start + i * 4 * HOUR, eventType: 'view' });
  const switchedAt = start + beforeCount * 4 * HOUR;
  for (let i = 0; i < afterCount; i++) rows.push({ userId: 'switcher', itemId: item(after), timestamp: switchedAt + i * 4 * HOUR, eventType: 'view' });
  return rows;
}

describe('trainLocalRanker', () => {
  it("ranks a user's newer taste first when the latest events moved to another cluster, even with fewer of them", async () => {
    const { rows } = syntheticInteractions({ users: 60, clusters: 12, groupSize: 3, eventsPerUser: 40, seed: 3 });
    const model = trainLocalRanker([...rows, ...switchingUser(1, 7, 36, 24)], { seed: 1 });
    const ranked = await new LocalRanker(model).rank({ userId: 'switcher', inputList: Array.from({ length: 12 }, (_, c) => item(c)) });
    expect(ranked[0]?.itemId).toBe(item(7));
  });

  it('without order decay the older, larger history wins: the decay is what follows the switch', async () => {
    const { rows } = syntheticInteractions({ users: 60, clusters: 12, groupSize: 3, eventsPerUser: 40, seed: 3 });
    const model = trainLocalRanker([...rows, ...switchingUser(1, 7, 36, 24)], { seed: 1, historyOrderDecay: 1 });
    const ranked = await new LocalRanker(model).rank({ userId: 'switcher', inputList: Array.from({ length: 12 }, (_, c) => item(c)) });
    expect(ranked[0]?.itemId).toBe(item(1));
  });

  it('rejects an order decay outside (0, 1]', () => {
    const { rows } = syntheticInteractions({ users: 30, clusters: 6, groupSize: 2, eventsPerUser: 10, seed: 1 });
    expect(() => trainLocalRanker(rows, { historyOrderDecay: 0 })).toThrow(/historyOrderDecay 0 is invalid/);
    expect(() => trainLocalRanker(rows, { historyOrderDecay: 1.5 })).toThrow(/historyOrderDecay 1.5 is invalid/);
  });
});
