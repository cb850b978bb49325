import type { SearchGeneration } from '../core/personalized-search';

type Preferences = ReadonlyMap<number, number> | undefined;

export interface PreferenceCacheOptions {
  /** How long a user's cluster scores are reused; a new event from the user drops them at once. */
  readonly ttlMs?: number;
  /** Bounds memory: the least recently stored entries go first. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Caches each user's cluster preferences briefly, per generation, so that paging through results does not ask the
 * ranker again; `invalidate(userId)` after each of the user's events keeps the next search real-time.
 */
export class PreferenceCache {
  /** userId -> the entry for the generation it was computed on (a new generation replaces it). */
  private readonly entries = new Map<string, { readonly generation: string; readonly expires: number; readonly value: Promise<Preferences> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly load: (userId: string, generation: SearchGeneration) => Promise<Preferences>,
    options: PreferenceCacheOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get(userId: string, generation: SearchGeneration): Promise<Preferences> {
    const hit = this.entries.get(userId);
    if (hit && hit.generation === generation.generation && hit.expires > this.now()) return hit.value;
    const value = this.load(userId, generation);
    const entry = { generation: generation.generation, expires: this.now() + this.ttlMs, value };
    // A failed lookup is not cached: the next search asks again.
    value.catch(() => {
      if (this.entries.get(userId) === entry) this.entries.delete(userId);
    });
    this.entries.delete(userId);
    this.entries.set(userId, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }

  invalidate(userId: string): void {
    this.entries.delete(userId);
  }
}
