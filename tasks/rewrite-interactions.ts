/**
 * Pipeline step: rewrites the interactions CSV from image ids to cluster item ids of this run's clustering, so the
 * ranker learns preferences over clusters (styles). Fails with InsufficientDataError, and publishes nothing, when the
 * result is below Amazon Personalize's training minimums.
 *
 * No partial output on failure: the minimums are checked inside the line stream, after the last row and before the
 * stream ends, so `writeLines` sees an error before completion and, per the ObjectStore contract (the object appears
 * only once all lines are written: temp file + rename locally, a multipart upload that is never completed on S3),
 * publishes nothing. One pass over the input, no temp key, no buffering.
 *
 * With `usersKey` the distinct user ids of the rows written also go there, one per line, once the CSV is complete:
 * the publish step marks them as users with history, so serving personalises the users Personalize was trained on.
 */
import { assertClusterGeneration } from '../core/cluster-items';
import { ValidationError } from '../core/errors';
import { parseCsvLine, rewriteInteractions } from '../core/interactions';
import type { RewriteStats } from '../core/interactions';
import { checkPersonalizeMinimums } from '../core/personalize-minimums';
import type { ObjectStore } from '../core/ports/object-store';

export interface RewriteInteractionsEvent {
  /** The image-level interactions CSV (USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE). */
  readonly interactionsKey: string;
  /** JSONL of `{"imageId": "...", "cluster": 3}`, one line per clustered image. */
  readonly assignmentsKey: string;
  /** Where the cluster-level CSV goes. */
  readonly outputKey: string;
  readonly clusterGeneration: string;
  /** Where the distinct user ids of the rows written go, one per line. @default not written */
  readonly usersKey?: string;
}

export interface RewriteInteractionsResult extends RewriteStats {
  readonly outputKey: string;
  readonly clusterGeneration: string;
  /** Present when the event asked for the users file. */
  readonly usersKey?: string;
}

export async function rewriteInteractionsTask(
  event: RewriteInteractionsEvent,
  deps: { readonly store: ObjectStore },
): Promise<RewriteInteractionsResult> {
  for (const field of ['interactionsKey', 'assignmentsKey', 'outputKey', 'clusterGeneration'] as const) {
    if (typeof event[field] !== 'string' || event[field].length === 0) {
      throw new ValidationError(`${field} is required: a non-empty string`, { field });
    }
  }
  if (event.usersKey !== undefined && (typeof event.usersKey !== 'string' || event.usersKey.length === 0)) {
    throw new ValidationError('usersKey, when given, must be a non-empty string', { field: 'usersKey' });
  }
  assertClusterGeneration(event.clusterGeneration);
  const clusters = await readAssignments(deps.store, event.assignmentsKey);
  const rewrite = rewriteInteractions(deps.store.readLines(event.interactionsKey), {
    clusterOf: (imageId) => clusters.get(imageId),
    clusterGeneration: event.clusterGeneration,
  });
  // Held in memory: about 100 bytes per distinct user, so ~100 MB for a million users, within the Lambda's memory.
  const users = event.usersKey === undefined ? undefined : new Set<string>();
  const collected = users === undefined ? rewrite.lines : collectUsers(rewrite.lines, users);
  async function* checkedLines(): AsyncGenerator<string> {
    yield* collected;
    const stats = rewrite.stats();
    checkPersonalizeMinimums({ interactions: stats.rowsWritten, usersWithTwoInteractions: stats.usersWithTwoInteractions });
  }
  await deps.store.writeLines(event.outputKey, checkedLines());
  const result = { ...rewrite.stats(), outputKey: event.outputKey, clusterGeneration: event.clusterGeneration };
  if (users === undefined || event.usersKey === undefined) return result;
  await deps.store.writeLines(event.usersKey, users);
  return { ...result, usersKey: event.usersKey };
}

const USER_COLUMN = 'USER_ID';

/** Passes the rewritten lines through, adding each data row's USER_ID (the header says which column) to `users`. */
async function* collectUsers(lines: AsyncIterable<string>, users: Set<string>): AsyncGenerator<string> {
  let userColumn: number | undefined;
  for await (const line of lines) {
    const fields = parseCsvLine(line);
    if (userColumn === undefined) {
      // The rewrite's first line is the input's header, which it has already validated.
      userColumn = fields?.findIndex((name) => name.trim() === USER_COLUMN) ?? -1;
    } else {
      const userId = userColumn >= 0 ? fields?.[userColumn] : undefined;
      if (userId !== undefined) users.add(userId);
    }
    yield line;
  }
}

/** imageId -> cluster from the assignments JSONL; our own output, so any bad line is an error, with its number. */
async function readAssignments(store: ObjectStore, key: string): Promise<Map<string, number>> {
  const clusters = new Map<string, number>();
  let lineNumber = 0;
  for await (const line of store.readLines(key)) {
    lineNumber++;
    if (line.trim() === '') continue;
    const fail = (why: string): never => {
      throw new ValidationError(`assignments ${key} line ${lineNumber} ${why}: expected {"imageId": "...", "cluster": <integer >= 0>}`, {
        field: 'assignments',
      });
    };
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      fail('is not JSON');
    }
    const { imageId, cluster } = (value ?? {}) as { imageId?: unknown; cluster?: unknown };
    if (typeof imageId !== 'string' || imageId.length === 0) fail('has no imageId');
    if (typeof cluster !== 'number' || !Number.isInteger(cluster) || cluster < 0) fail('has no valid cluster');
    const id = imageId as string;
    const previous = clusters.get(id);
    if (previous !== undefined && previous !== cluster) fail(`assigns "${id}" to cluster ${String(cluster)} after cluster ${previous}`);
    clusters.set(id, cluster as number);
  }
  return clusters;
}
