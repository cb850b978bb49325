import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors';
import { LocalRanker } from '../../../core/local/local-ranker';
import { trainLocalRanker } from '../../../core/local/ranker-training';
import type { EventType } from '../../../core/ports/ranker';
import { END_TIMESTAMP, item, syntheticInteractions } from './synthetic-interactions';

// 100 users, 12 clusters in 4 groups of 3 similar ones; half of each user's events on a planted favourite.
const data = syntheticInteractions({ users: 100, clusters: 12, groupSize: 3, eventsPerUser: 40, seed: 7 });
const model = trainLocalRanker(data.rows);
const at = (secondsAfterData: number): Date => new Date((END_TIMESTAMP + secondsAfterData) * 1000);
const events = (cluster: number, n: number, eventType: EventType = 'view', start = 3600) =>
  Array.from({ length: n }, (_, i) => ({ eventType, itemId: item(cluster), sentAt: at(start + i * 60) }));
const clusterOf = (itemId: string): number => Number(itemId.split('.c')[1]);

async function favouriteInTopTwoShare(ranker: LocalRanker): Promise<number> {
  let hits = 0;
  for (const [userId, favourite] of data.favourite) {
    const ranked = await ranker.rank({ userId, inputList: data.items });
    if (ranked.slice(0, 2).some((r) => r.itemId === item(favourite))) hits++;
  }
  return hits / data.favourite.size;
}

describe('LocalRanker.rank', () => {
  it('returns scores that sum to 1, sorted descending', async () => {
    const ranked = await new LocalRanker(model).rank({ userId: 'user-0003', inputList: data.items });
    expect(ranked).toHaveLength(12);
    const scores = ranked.map((r) => r.score as number);
    expect(scores.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('puts items the model does not know last, without a score, in input order', async () => {
    const inputList = ['other-gen.c1', item(2), 'other-gen.c0', item(5)];
    const ranked = await new LocalRanker(model).rank({ userId: 'user-0003', inputList });
    expect(ranked.slice(2)).toEqual([{ itemId: 'other-gen.c1' }, { itemId: 'other-gen.c0' }]);
    expect((ranked[0]?.score ?? 0) + (ranked[1]?.score ?? 0)).toBeCloseTo(1, 12);
  });

  it('ranks each user\'s planted favourite cluster in their top 2 for at least 90% of users', async () => {
    const share = await favouriteInTopTwoShare(new LocalRanker(model));
    // The latent factors alone (no boost from the user's own history) must also recover the favourites.
    const pureIals = await favouriteInTopTwoShare(new LocalRanker(trainLocalRanker(data.rows, { historyBoost: 0 })));
    console.log(`favourite in top 2: ${(share * 100).toFixed(0)}% (pure iALS ${(pureIals * 100).toFixed(0)}%)`);
    expect(share).toBeGreaterThanOrEqual(0.9);
    expect(pureIals).toBeGreaterThanOrEqual(0.9);
  });

  it('gives a user without history popularity scores', async () => {
    const ranker = new LocalRanker(model);
    expect(ranker.hasHistory('stranger')).toBe(false);
    const ranked = await ranker.rank({ userId: 'stranger', inputList: [item(0), item(1)] });
    const p0 = model.itemPopularity[model.items.indexOf(item(0))] as number;
    const p1 = model.itemPopularity[model.items.indexOf(item(1))] as number;
    const byId = Object.fromEntries(ranked.map((r) => [r.itemId, r.score]));
    expect(byId[item(0)]).toBeCloseTo(p0 / (p0 + p1), 12);
    expect(byId[item(1)]).toBeCloseTo(p1 / (p0 + p1), 12);
  });

  it('validates the input list with the count', async () => {
    const ranker = new LocalRanker(model);
    await expect(ranker.rank({ userId: 'u', inputList: [] })).rejects.toThrow('inputList has 0 items: expected 1 to 500');
    await expect(ranker.rank({ userId: 'u', inputList: Array.from({ length: 501 }, (_, i) => `x${i}`) })).rejects.toThrow('inputList has 501 items');
    await expect(ranker.rank({ userId: 'u', inputList: ['a', ''] })).rejects.toThrow('inputList[1] is empty (inputList has 2 items)');
    await expect(ranker.rank({ userId: 'u', inputList: ['a', 'a'] })).rejects.toThrow(/"a" twice/);
    await expect(ranker.rank({ userId: '', inputList: ['a'] })).rejects.toThrow(expect.objectContaining({ field: 'userId' }));
  });
});

describe('LocalRanker.putEvents', () => {
  it('makes a new user\'s clicked cluster rank first after 3 events, with a similar cluster next', async () => {
    const ranker = new LocalRanker(model);
    await ranker.putEvents({ userId: 'newcomer', sessionId: 's1', events: events(4, 3) });
    expect(ranker.hasHistory('newcomer')).toBe(true);
    const ranked = await ranker.rank({ userId: 'newcomer', inputList: data.items });
    expect(ranked[0]?.itemId).toBe(item(4));
    // Clusters 3, 4, 5 form one group of similar styles in the synthetic data.
    expect([3, 5]).toContain(clusterOf(ranked[1]?.itemId ?? ''));
  });

  it('lets a user whose latest events move to another cluster follow within 5 events', async () => {
    const [userId, favourite] = [...data.favourite].find(([, f]) => f === 0) as [string, number];
    const target = 10;
    const ranker = new LocalRanker(model);
    const before = await ranker.rank({ userId, inputList: data.items });
    expect(before[0]?.itemId).not.toBe(item(target));
    const firstAfter: number[] = [];
    for (let n = 1; n <= 5; n++) {
      await ranker.putEvents({ userId, sessionId: 's1', events: events(target, 1, 'view', 3600 + n * 60) });
      const ranked = await ranker.rank({ userId, inputList: data.items });
      firstAfter.push(clusterOf(ranked[0]?.itemId ?? ''));
    }
    console.log(`switch user (favourite ${favourite}) top cluster after each event: ${firstAfter.join(', ')}`);
    expect(firstAfter.at(-1)).toBe(target);
  });

  it('validates event types, item ids, dates and the 1..10 events limit', async () => {
    const ranker = new LocalRanker(model);
    const put = (over: object) => ranker.putEvents({ userId: 'u', sessionId: 's', events: events(1, 1), ...over });
    await expect(put({ events: [] })).rejects.toThrow('events has 0 entries: expected 1 to 10');
    await expect(put({ events: events(1, 11) })).rejects.toThrow('events has 11 entries');
    await expect(put({ events: [{ eventType: 'click', itemId: item(1), sentAt: at(0) }] })).rejects.toThrow(/events\[0\].eventType "click" is not one of view, favorite, download/);
    await expect(put({ events: [{ eventType: 'view', itemId: '', sentAt: at(0) }] })).rejects.toThrow(/events\[0\].itemId must be a non-empty string/);
    await expect(put({ events: [{ eventType: 'view', itemId: item(1), sentAt: new Date('nope') }] })).rejects.toThrow(/events\[0\].sentAt is not a valid date/);
    await expect(put({ sessionId: '' })).rejects.toThrow(ValidationError);
    expect(ranker.hasHistory('u')).toBe(false);
  });
});

describe('trainLocalRanker', () => {
  it('is deterministic for a seed', () => {
    const again = trainLocalRanker(data.rows);
    expect(again.version).toBe(model.version);
    expect(Array.from(again.itemFactors)).toEqual(Array.from(model.itemFactors));
    expect(trainLocalRanker(data.rows, { seed: 2 }).version).not.toBe(model.version);
  });

  it('trains 300 users x 48 clusters x 21,000 events in well under a few seconds', () => {
    const big = syntheticInteractions({ users: 300, clusters: 48, groupSize: 4, eventsPerUser: 70, seed: 3 });
    const started = performance.now();
    const trained = trainLocalRanker(big.rows);
    const ms = performance.now() - started;
    console.log(`trained ${big.rows.length} events, 300 users x 48 clusters, ${trained.hyperParameters.factors} factors in ${ms.toFixed(0)} ms`);
    expect(trained.items).toHaveLength(48);
    expect(ms).toBeLessThan(5000);
  });

  it('rejects empty data and bad hyper-parameters, naming them', () => {
    expect(() => trainLocalRanker([])).toThrow('cannot train the ranker on zero interactions');
    expect(() => trainLocalRanker(data.rows, { factors: 0 })).toThrow(/ranker factors 0 is invalid/);
    expect(() => trainLocalRanker(data.rows, { liveEventDecay: 1.5 })).toThrow(expect.objectContaining({ field: 'liveEventDecay' }));
  });
});
