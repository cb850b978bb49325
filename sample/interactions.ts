import { createRandom, type Random } from '../core/random';
import { STYLES, SUBJECTS, imageIdFor, type Style, type Subject } from './constants';

/** 2026-01-01T00:00:00Z: every timestamp is this plus seeded offsets, never the wall clock. */
export const EPOCH_SECONDS = 1_767_225_600;
const DAY = 86_400;

export const EVENT_TYPES = ['view', 'favorite', 'download'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type UserKind = 'named' | 'regular' | 'noise';

/** A simulated user's true tastes, written to users.json so evaluation can check what the system learned. */
export interface SimulatedUser {
  readonly userId: string;
  readonly kind: UserKind;
  /** Weights sum to 1. */
  readonly styles: Partial<Record<Style, number>>;
  readonly subjects: Partial<Record<Subject, number>>;
  /** Share of events that ignore the tastes and pick any image. */
  readonly noise: number;
  /** Subjects this user never interacts with (the named style users never see a cat). */
  readonly neverSubjects?: readonly Subject[];
  /** style-switch-user only: the style before and after `at` (epoch seconds). */
  styleSwitch?: { readonly before: Style; readonly after: Style; readonly at: number };
  eventCount: number;
}

export interface Interaction {
  readonly userId: string;
  readonly itemId: string;
  readonly timestamp: number;
  readonly eventType: EventType;
}

export interface InteractionOptions {
  readonly seed: number;
  readonly perPair: number;
  /** Simulated (non-named) users. @default 320 */
  readonly users?: number;
  /** Mean events per simulated user. @default 66 */
  readonly meanEvents?: number;
}

function normalise<K extends string>(weights: Partial<Record<K, number>>): Partial<Record<K, number>> {
  const total = Object.values<number | undefined>(weights).reduce<number>((a, b) => a + (b ?? 0), 0);
  const out: Partial<Record<K, number>> = {};
  for (const [k, v] of Object.entries(weights) as [K, number][]) out[k] = Math.round((v / total) * 1e4) / 1e4;
  return out;
}

function sampleWeighted<K extends string>(weights: Partial<Record<K, number>>, rng: Random): K {
  const entries = Object.entries(weights) as [K, number][];
  let u = rng.next() * entries.reduce((a, [, w]) => a + w, 0);
  for (const [k, w] of entries) {
    u -= w;
    if (u < 0) return k;
  }
  return (entries[entries.length - 1] as [K, number])[0];
}

function tastes<K extends string>(all: readonly K[], favourites: number, rng: Random): Partial<Record<K, number>> {
  const picked = rng.shuffle(all).slice(0, favourites);
  const w: Partial<Record<K, number>> = {};
  // Favourites dominate; every other option keeps a little weight so histories are not perfectly pure.
  for (const k of all) w[k] = picked.includes(k) ? (picked.indexOf(k) === 0 ? 1 : rng.range(0.5, 0.9)) : 0.03;
  return normalise(w);
}

function uniform<K extends string>(all: readonly K[], except: readonly K[] = []): Partial<Record<K, number>> {
  const w: Partial<Record<K, number>> = {};
  for (const k of all) if (!except.includes(k)) w[k] = 1;
  return normalise(w);
}

function namedUsers(rng: Random): SimulatedUser[] {
  const styleUser = (userId: string, style: Style): SimulatedUser => ({
    userId,
    kind: 'named',
    styles: { [style]: 1 },
    subjects: normalise(tastes(SUBJECTS.filter((s) => s !== 'cat'), 4, rng)),
    noise: 0,
    neverSubjects: ['cat'],
    eventCount: 0,
  });
  return [
    styleUser('comic-art-user', 'comic'),
    styleUser('neon-punk-user', 'neon-punk'),
    styleUser('origami-clay-user', 'origami-clay'),
    {
      userId: 'style-switch-user',
      kind: 'named',
      styles: { watercolor: 0.5, 'pixel-art': 0.5 },
      subjects: uniform(SUBJECTS),
      noise: 0,
      // `at` is filled in once its events are laid out.
      styleSwitch: { before: 'watercolor', after: 'pixel-art', at: 0 },
      eventCount: 0,
    },
  ];
}

function simulatedUser(index: number, rng: Random): SimulatedUser {
  const u = rng.next();
  const userId = `user-${String(index + 1).padStart(4, '0')}`;
  if (u < 0.12) return { userId, kind: 'noise', styles: uniform(STYLES), subjects: uniform(SUBJECTS), noise: 0.85, eventCount: 0 };
  return {
    userId,
    kind: 'regular',
    styles: tastes(STYLES, u < 0.72 ? 1 : 2, rng),
    subjects: tastes(SUBJECTS, 1 + rng.int(3), rng),
    noise: Math.round(rng.range(0.05, 0.15) * 1000) / 1000,
    eventCount: 0,
  };
}

function eventType(onTaste: boolean, rng: Random): EventType {
  const u = rng.next();
  // Views dominate; a liked image is more often favourited or downloaded than a stray one.
  if (onTaste) return u < 0.72 ? 'view' : u < 0.88 ? 'favorite' : 'download';
  return u < 0.92 ? 'view' : u < 0.97 ? 'favorite' : 'download';
}

/** Simulate users and their events, sorted by timestamp (then user, then item, so ties are stable). */
export function simulateInteractions(opts: InteractionOptions): { users: SimulatedUser[]; events: Interaction[] } {
  const root = createRandom(opts.seed).fork('interactions');
  const users = [...namedUsers(root.fork('named'))];
  const count = opts.users ?? 320;
  for (let i = 0; i < count; i++) users.push(simulatedUser(i, root.fork(`user-${i}`)));
  const events: Interaction[] = [];
  const mean = opts.meanEvents ?? 66;
  for (const user of users) {
    const rng = root.fork(`events-${user.userId}`);
    const n = user.kind === 'named' ? 60 : Math.max(2, Math.round(mean * rng.range(0.35, 1.65)));
    let t = EPOCH_SECONDS + Math.floor(rng.range(0, 60 * DAY));
    const switchAfter = Math.floor(n * 0.6);
    for (let k = 0; k < n; k++) {
      // Sessions: mostly minutes apart, sometimes a day or more.
      t += rng.next() < 0.1 ? Math.floor(rng.range(0.5, 4) * DAY) : Math.floor(rng.range(20, 900));
      let style: Style;
      let subject: Subject;
      const onTaste = rng.next() >= user.noise;
      if (user.styleSwitch) {
        if (k === switchAfter) user.styleSwitch = { ...user.styleSwitch, at: t };
        style = k < switchAfter ? user.styleSwitch.before : user.styleSwitch.after;
        subject = sampleWeighted(user.subjects, rng);
      } else if (onTaste) {
        style = sampleWeighted(user.styles, rng);
        subject = sampleWeighted(user.subjects, rng);
      } else {
        style = rng.pick(STYLES);
        subject = rng.pick(SUBJECTS.filter((s) => !(user.neverSubjects ?? []).includes(s)));
      }
      events.push({ userId: user.userId, itemId: imageIdFor(style, subject, rng.int(opts.perPair)), timestamp: t, eventType: eventType(onTaste, rng) });
    }
    user.eventCount = n;
  }
  events.sort((a, b) => a.timestamp - b.timestamp || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0) || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
  return { users, events };
}

export const INTERACTIONS_HEADER = 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE';

export function interactionsCsv(events: readonly Interaction[]): string {
  return `${INTERACTIONS_HEADER}\n${events.map((e) => `${e.userId},${e.itemId},${e.timestamp},${e.eventType}`).join('\n')}\n`;
}
