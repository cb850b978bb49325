import { checkPersonalizeMinimums } from '../core/personalize-minimums';
import type { Interaction } from './interactions';

export interface InteractionStats {
  readonly interactions: number;
  readonly users: number;
  readonly usersWithAtLeastTwo: number;
}

export function interactionStats(events: readonly Interaction[]): InteractionStats {
  const perUser = new Map<string, number>();
  for (const e of events) perUser.set(e.userId, (perUser.get(e.userId) ?? 0) + 1);
  let two = 0;
  for (const n of perUser.values()) if (n >= 2) two++;
  return { interactions: events.length, users: perUser.size, usersWithAtLeastTwo: two };
}

/** Fail loudly rather than publish a dataset Personalize would reject at import time. */
export function assertPersonalizeMinimums(stats: InteractionStats): void {
  checkPersonalizeMinimums({ interactions: stats.interactions, usersWithTwoInteractions: stats.usersWithAtLeastTwo });
}
