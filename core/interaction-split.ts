/** Splits interactions into training rows and each user's latest events, held out to measure a model on (the evaluation, the local solution metrics). */
import type { InteractionRow } from './interactions';

export interface InteractionSplit {
  readonly train: InteractionRow[];
  /** Per user, the held-out latest events in time order. */
  readonly heldOut: ReadonlyMap<string, InteractionRow[]>;
}

/** Holds out each user's `latest` newest events, keeping at least two events of theirs for training. */
export function holdOutLatest(rows: readonly InteractionRow[], latest: number): InteractionSplit {
  const byUser = new Map<string, InteractionRow[]>();
  for (const row of rows) {
    const list = byUser.get(row.userId);
    if (list) list.push(row);
    else byUser.set(row.userId, [row]);
  }
  const train: InteractionRow[] = [];
  const heldOut = new Map<string, InteractionRow[]>();
  for (const [userId, list] of byUser) {
    const ordered = list.slice().sort((a, b) => a.timestamp - b.timestamp);
    const cut = Math.max(2, ordered.length - latest);
    train.push(...ordered.slice(0, cut));
    if (cut < ordered.length) heldOut.set(userId, ordered.slice(cut));
  }
  train.sort((a, b) => a.timestamp - b.timestamp);
  return { train, heldOut };
}
