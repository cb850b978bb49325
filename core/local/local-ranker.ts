/**
 * Local stand-in for a Personalize Personalized-Ranking campaign plus its event tracker. Ranking uses the trained
 * iALS factors; once a user sends events, their factor is re-solved against the fixed item factors from their
 * (capped) trained history plus the live events, newer events weighing more, so the ranking follows them at once.
 * Score = softmax((x_u . y_i + historyBoost * share_u(i)) / temperature): the low-rank term generalises to similar
 * clusters, the share term (the user's own decayed interaction mass on the item) keeps the clicked cluster itself
 * first, which a low-rank factor alone cannot guarantee when neighbouring clusters have near-parallel factors.
 */
import { ValidationError } from '../errors';
import type { EventType, PutEventsRequest, RankedItem, RankRequest, Ranker, TrackedEvent } from '../ports/ranker';
import { requireId, validateEvent, validateInputList } from '../ranker-input';
import { gramian, solveRow } from './ials';
import { appendEventLog, readEventLog } from './ranker-event-log';
import type { LoggedEvent } from './ranker-event-log';
import type { RankerModel } from './ranker-model-file';

// The PutEvents limit: https://docs.aws.amazon.com/personalize/latest/dg/limits.html
export const MAX_EVENTS_PER_CALL = 10;
const SECONDS_PER_DAY = 86_400;

export interface LocalRankerOptions {
  /** JSONL file that live events are appended to and replayed from on open. @default no log: events live in memory only */
  readonly eventLogPath?: string;
}

interface LiveEvent {
  readonly eventType: EventType;
  readonly itemId: string;
  /** Epoch seconds. */
  readonly time: number;
  /** Arrival order, to order events with equal times. */
  readonly seq: number;
}

export class LocalRanker implements Ranker {
  readonly model: RankerModel;
  private readonly k: number;
  private readonly itemIndex: Map<string, number>;
  private readonly userIndex: Map<string, number>;
  private readonly itemGram: Float64Array;
  private readonly liveEvents = new Map<string, LiveEvent[]>();
  private readonly profiles = new Map<string, UserProfile | undefined>();
  private seq = 0;
  private eventLogPath: string | undefined;
  private logQueue: Promise<void> = Promise.resolve();

  /** A ranker without an event log; use `LocalRanker.open` to log and replay events. */
  constructor(model: RankerModel) {
    this.model = model;
    this.k = model.hyperParameters.factors;
    this.itemIndex = new Map(model.items.map((id, i) => [id, i]));
    this.userIndex = new Map(model.users.map((id, i) => [id, i]));
    this.itemGram = gramian(model.itemFactors, this.k);
  }

  /** A ranker that replays the event log (if the file exists) and appends every later event to it. */
  static async open(model: RankerModel, options: LocalRankerOptions = {}): Promise<LocalRanker> {
    const ranker = new LocalRanker(model);
    if (options.eventLogPath !== undefined) {
      const { events } = await readEventLog(options.eventLogPath);
      events.forEach((event, i) => {
        try {
          validateEvent({ eventType: event.eventType as EventType, itemId: event.itemId, sentAt: event.sentAt }, i);
          requireId(event.userId, 'userId');
        } catch (error) {
          throw new ValidationError(`event log ${options.eventLogPath} event ${i + 1} is invalid: ${(error as Error).message}`, { field: 'eventLog', cause: error });
        }
        ranker.record(event.userId, [event as TrackedEvent]);
      });
      ranker.eventLogPath = options.eventLogPath;
    }
    return ranker;
  }

  /** True when the user has trained history or recorded events (informational: such users get personal scores). */
  hasHistory(userId: string): boolean {
    return this.userIndex.has(userId) || this.liveEvents.has(userId);
  }

  async rank(request: RankRequest): Promise<RankedItem[]> {
    requireId(request.userId, 'userId');
    const list = request.inputList;
    validateInputList(list);

    const known: { itemId: string; item: number; order: number }[] = [];
    const unknown: RankedItem[] = [];
    list.forEach((itemId, order) => {
      const item = this.itemIndex.get(itemId);
      if (item === undefined) unknown.push({ itemId });
      else known.push({ itemId, item, order });
    });
    const scores = this.scoreItems(request.userId, known.map((entry) => entry.item));
    const ranked = known
      .map((entry, i) => ({ itemId: entry.itemId, score: scores[i] as number, order: entry.order }))
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .map(({ itemId, score }) => ({ itemId, score }));
    return [...ranked, ...unknown];
  }

  async putEvents(request: PutEventsRequest): Promise<void> {
    requireId(request.userId, 'userId');
    requireId(request.sessionId, 'sessionId');
    const events = request.events;
    if (!Array.isArray(events) || events.length < 1 || events.length > MAX_EVENTS_PER_CALL) {
      throw new ValidationError(`events has ${Array.isArray(events) ? events.length : 0} entries: expected 1 to ${MAX_EVENTS_PER_CALL}`, { field: 'events' });
    }
    events.forEach(validateEvent);
    const path = this.eventLogPath;
    if (path !== undefined) {
      // One append at a time, so the log's order is the order the events are applied in.
      const logged: LoggedEvent[] = events.map((e) => ({ userId: request.userId, sessionId: request.sessionId, ...e }));
      const write = this.logQueue.then(() => appendEventLog(path, logged));
      this.logQueue = write.catch(() => undefined);
      await write;
    }
    this.record(request.userId, events);
  }

  private record(userId: string, events: readonly TrackedEvent[]): void {
    const live = this.liveEvents.get(userId) ?? [];
    for (const e of events) live.push({ eventType: e.eventType, itemId: e.itemId, time: e.sentAt.getTime() / 1000, seq: this.seq++ });
    this.liveEvents.set(userId, live);
    this.profiles.delete(userId);
  }

  /** Scores summing to 1 over `items`: softmax of the user's predicted preferences, or popularity for a user without usable history. */
  private scoreItems(userId: string, items: readonly number[]): number[] {
    if (items.length === 0) return [];
    const profile = this.userProfile(userId);
    if (profile === undefined) {
      const popularity = items.map((item) => this.model.itemPopularity[item] as number);
      const total = popularity.reduce((s, p) => s + p, 0);
      return total > 0 ? popularity.map((p) => p / total) : items.map(() => 1 / items.length);
    }
    const k = this.k;
    const { factor, share } = profile;
    const boost = this.model.hyperParameters.historyBoost;
    const predicted = items.map((item) => {
      let s = 0;
      for (let f = 0; f < k; f++) s += (factor[f] as number) * (this.model.itemFactors[item * k + f] as number);
      return s + boost * (share.get(item) ?? 0);
    });
    const max = Math.max(...predicted);
    const t = this.model.hyperParameters.temperature;
    const exp = predicted.map((p) => Math.exp((p - max) / t));
    const sum = exp.reduce((s, e) => s + e, 0);
    return exp.map((e) => e / sum);
  }

  private userProfile(userId: string): UserProfile | undefined {
    if (!this.profiles.has(userId)) {
      const user = this.userIndex.get(userId);
      const live = this.liveEvents.get(userId);
      this.profiles.set(userId, live === undefined ? this.trainedProfile(user) : this.foldIn(user, live));
    }
    return this.profiles.get(userId);
  }

  private trainedProfile(user: number | undefined): UserProfile | undefined {
    if (user === undefined) return undefined;
    const history = this.model.histories[user] ?? [];
    return {
      factor: this.model.userFactors.subarray(user * this.k, (user + 1) * this.k),
      share: shares(history.map((e) => [e.item, e.mass])),
    };
  }

  /**
   * Solves the user's factor from trained history (capped) and live events, each event decaying what came before: by
   * order (liveEventDecay), and between live events also by the time between them. The gap between the training data
   * and the first live event is not decayed by time: a user back after months should move with their clicks, not have
   * one click erase their history.
   */
  private foldIn(user: number | undefined, live: readonly LiveEvent[]): UserProfile | undefined {
    const hyper = this.model.hyperParameters;
    const halfLifeSeconds = hyper.halfLifeDays * SECONDS_PER_DAY;
    const mass = new Map<number, number>();
    if (user !== undefined) {
      // A long history must not drown out what the user does now, so it enters as at most historyMassCap.
      const history = this.model.histories[user] ?? [];
      const total = history.reduce((s, e) => s + e.mass, 0);
      const scale = total > hyper.historyMassCap ? hyper.historyMassCap / total : 1;
      for (const e of history) mass.set(e.item, e.mass * scale);
    }
    const ordered = live.slice().sort((a, b) => a.time - b.time || a.seq - b.seq);
    let previous: number | undefined;
    for (const event of ordered) {
      const elapsed = previous === undefined ? 0 : Math.max(0, event.time - previous);
      const decay = hyper.liveEventDecay * 0.5 ** (elapsed / halfLifeSeconds);
      for (const [item, m] of mass) mass.set(item, m * decay);
      previous = event.time;
      const item = this.itemIndex.get(event.itemId);
      if (item !== undefined) mass.set(item, (mass.get(item) ?? 0) + hyper.eventWeights[event.eventType]);
    }
    const entries = [...mass].filter(([, m]) => m > 0);
    if (entries.length === 0) return undefined;
    const factor = solveRow(
      { indices: Int32Array.from(entries, ([item]) => item), weights: Float64Array.from(entries, ([, m]) => m) },
      this.model.itemFactors,
      this.itemGram,
      this.k,
      hyper,
    );
    return { factor, share: shares(entries) };
  }
}

/** What scoring needs of one user: the latent factor, and each item's share of the user's interaction mass. */
interface UserProfile {
  readonly factor: Float64Array;
  readonly share: ReadonlyMap<number, number>;
}

function shares(entries: readonly (readonly [number, number])[]): Map<number, number> {
  const total = entries.reduce((s, [, m]) => s + m, 0);
  return new Map(total > 0 ? entries.map(([item, m]) => [item, m / total]) : []);
}
