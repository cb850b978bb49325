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

describe('LocalRanker fold-in of live events', () => {
  it("does not let one click months after the training data erase a user's trained history", async () => {
    const { rows, favourite } = syntheticInteractions({ users: 60, clusters: 12, groupSize: 3, eventsPerUser: 40, seed: 3 });
    const ranker = new LocalRanker(trainLocalRanker(rows, { seed: 1 }));
    const inputList = Array.from({ length: 12 }, (_, c) => item(c));
    const userId = 'user-0000';
    const liked = favourite.get(userId) as number;
    const other = (liked + 6) % 12;
    await ranker.putEvents({ userId, sessionId: 's', events: [{ eventType: 'favorite', itemId: item(other), sentAt: new Date((END_TIMESTAMP + 300 * 24 * HOUR) * 1000) }] });
    const top = (await ranker.rank({ userId, inputList })).slice(0, 3).map((r) => r.itemId);
    expect(top).toContain(item(liked));
    expect(top).toContain(item(other));
  });
});
