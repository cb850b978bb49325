import { describe, expect, it } from 'vitest';
import { STYLES, SUBJECTS } from '../../sample/constants';
import { EPOCH_SECONDS, simulateInteractions } from '../../sample/interactions';
import { assertPersonalizeMinimums, interactionStats } from '../../sample/personalize-minimums';

const { users, events } = simulateInteractions({ seed: 42, perPair: 20 });
const parse = (itemId: string): { style: string; subject: string } => {
  const style = STYLES.find((s) => itemId.startsWith(`${s}-`)) as string;
  const subject = itemId.slice(style.length + 1).replace(/-\d{3}$/, '');
  return { style, subject };
};
const eventsOf = (userId: string) => events.filter((e) => e.userId === userId);

describe('simulateInteractions', () => {
  it('simulates at least 300 users and 20,000 events by default, above the Personalize minimums', () => {
    expect(users.length).toBeGreaterThanOrEqual(300);
    expect(events.length).toBeGreaterThanOrEqual(20_000);
    const stats = interactionStats(events);
    expect(stats.usersWithAtLeastTwo).toBeGreaterThanOrEqual(25);
    expect(() => assertPersonalizeMinimums(stats)).not.toThrow();
  });

  it('derives timestamps from a fixed epoch, sorted ascending', () => {
    expect(events.every((e, i) => i === 0 || e.timestamp >= (events[i - 1]?.timestamp ?? 0))).toBe(true);
    expect(Math.min(...events.map((e) => e.timestamp))).toBeGreaterThan(EPOCH_SECONDS);
    expect(events.every((e) => Number.isInteger(e.timestamp))).toBe(true);
  });

  it('keeps the three style users in their style, over several subjects, and never on a cat', () => {
    for (const [userId, style] of [['comic-art-user', 'comic'], ['neon-punk-user', 'neon-punk'], ['origami-clay-user', 'origami-clay']]) {
      const mine = eventsOf(userId as string).map((e) => parse(e.itemId));
      expect(mine.length).toBeGreaterThanOrEqual(30);
      expect(mine.every((m) => m.style === style)).toBe(true);
      expect(mine.some((m) => m.subject === 'cat')).toBe(false);
      expect(new Set(mine.map((m) => m.subject)).size).toBeGreaterThanOrEqual(3);
    }
  });

  it('switches style-switch-user to its new style for its latest events, at the recorded time', () => {
    const user = users.find((u) => u.userId === 'style-switch-user');
    const sw = user?.styleSwitch;
    if (!sw) throw new Error('style-switch-user has no styleSwitch');
    const mine = eventsOf('style-switch-user');
    const after = mine.filter((e) => e.timestamp >= sw.at);
    const before = mine.filter((e) => e.timestamp < sw.at);
    expect(after.length).toBeGreaterThanOrEqual(10);
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(after.every((e) => parse(e.itemId).style === sw.after)).toBe(true);
    expect(before.every((e) => parse(e.itemId).style === sw.before)).toBe(true);
    expect(mine.slice(-10).every((e) => parse(e.itemId).style === sw.after)).toBe(true);
  });

  it('makes regular users favour their top style and subject, and noise users spread out', () => {
    const regular = users.filter((u) => u.kind === 'regular');
    let agree = 0;
    for (const u of regular) {
      const top = Object.entries(u.styles).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0]?.[0];
      const counts = new Map<string, number>();
      for (const e of eventsOf(u.userId)) counts.set(parse(e.itemId).style, (counts.get(parse(e.itemId).style) ?? 0) + 1);
      const observed = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      if (observed === top) agree++;
    }
    expect(agree / regular.length).toBeGreaterThan(0.9);
    const noise = users.filter((u) => u.kind === 'noise');
    expect(noise.length).toBeGreaterThan(10);
    for (const u of noise.slice(0, 5)) {
      expect(new Set(eventsOf(u.userId).map((e) => parse(e.itemId).style)).size).toBeGreaterThanOrEqual(4);
    }
    expect(SUBJECTS.every((s) => events.some((e) => parse(e.itemId).subject === s))).toBe(true);
  });

  it('is the same for the same seed and different for another', () => {
    expect(simulateInteractions({ seed: 42, perPair: 20 }).events).toEqual(events);
    expect(simulateInteractions({ seed: 43, perPair: 20 }).events.slice(0, 50)).not.toEqual(events.slice(0, 50));
  });
});

describe('assertPersonalizeMinimums', () => {
  it('refuses fewer than 1,000 interactions', () => {
    expect(() => assertPersonalizeMinimums({ interactions: 999, users: 100, usersWithAtLeastTwo: 100 })).toThrow(/found 999 interactions \(minimum 1000\)/);
  });

  it('refuses fewer than 25 users with two interactions', () => {
    expect(() => assertPersonalizeMinimums({ interactions: 5000, users: 30, usersWithAtLeastTwo: 24 })).toThrow(/24 users with at least 2 interactions \(minimum 25\)/);
  });
});
