/** Synthetic users with planted cluster preferences, for the ranker tests (no dependency on the sample library). */
import { clusterItemId } from '../../../core/cluster-items';
import type { InteractionRow } from '../../../core/interactions';
import type { EventType } from '../../../core/ports/ranker';
import { createRandom } from '../../../core/random';

export const GENERATION = 'test-gen';
export const END_TIMESTAMP = 1_780_000_000;

export interface SyntheticOptions {
  readonly users: number;
  readonly clusters: number;
  /** Clusters come in groups of this size whose members users like together (similar styles). */
  readonly groupSize: number;
  readonly eventsPerUser: number;
  readonly seed: number;
  /** Share of a user's events on their favourite cluster; the rest split between its group and random clusters. */
  readonly favouriteShare?: number;
  readonly userPrefix?: string;
}

export interface SyntheticData {
  readonly rows: InteractionRow[];
  readonly items: string[];
  /** Favourite cluster per user id. */
  readonly favourite: Map<string, number>;
}

export function item(cluster: number): string {
  return clusterItemId(GENERATION, cluster);
}

export function syntheticInteractions(options: SyntheticOptions): SyntheticData {
  const random = createRandom(options.seed);
  const favouriteShare = options.favouriteShare ?? 0.5;
  const rows: InteractionRow[] = [];
  const favourite = new Map<string, number>();
  const items = Array.from({ length: options.clusters }, (_, c) => item(c));
  for (let u = 0; u < options.users; u++) {
    const userId = `${options.userPrefix ?? 'user'}-${String(u).padStart(4, '0')}`;
    const fav = random.int(options.clusters);
    favourite.set(userId, fav);
    const groupStart = fav - (fav % options.groupSize);
    for (let e = 0; e < options.eventsPerUser; e++) {
      const r = random.next();
      let cluster: number;
      if (r < favouriteShare) cluster = fav;
      else if (r < favouriteShare + (1 - favouriteShare) / 2) cluster = groupStart + random.int(options.groupSize);
      else cluster = random.int(options.clusters);
      const t = random.next();
      const eventType: EventType = t < 0.7 ? 'view' : t < 0.9 ? 'favorite' : 'download';
      rows.push({ userId, itemId: item(cluster), timestamp: END_TIMESTAMP - random.int(60 * 86_400), eventType });
    }
  }
  return { rows, items, favourite };
}
