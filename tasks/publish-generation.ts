/**
 * Pipeline step "Publish generation": points the alias at the new generation and publishes what serving reads
 * (SSM parameters on AWS) in one step. If publishing fails after the swap, the alias goes back to the previous
 * generation, so serving never sees the new index with the old parameters for longer than the step takes.
 *
 * Then, on AWS, every user of the training interactions (the `usersKey` file "Rewrite interactions" wrote) is marked
 * in the serving user-history table: serving personalises only marked users, and without this a trained user would
 * get the plain order until their first live event. Marking is idempotent, so rerunning the step is safe.
 */
import { AppError, ValidationError } from '../core/errors';
import type { GenerationPublisher, PublishedGeneration } from '../core/ports/generation-publisher';
import type { ObjectStore } from '../core/ports/object-store';
import type { UserHistory } from '../core/ports/user-history';
import type { VectorIndex } from '../core/ports/vector-index';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

/** What serving will read, as the definition passes it, plus where the trained users are. */
export interface PublishGenerationEvent extends StepContext, PublishedGeneration {
  /** The trained users, one id per line; read only when the handler has a userHistory. @default no users marked */
  readonly usersKey?: string;
}

export interface PublishGenerationDeps {
  readonly index: VectorIndex;
  readonly publisher: GenerationPublisher;
  /** Where trained users are marked (DynamoDB on AWS). @default none: the local runner's ranker knows its users */
  readonly userHistory?: UserHistory;
  /** Reads `usersKey`; required with userHistory. */
  readonly store?: ObjectStore;
}

/** Ids per recordActivities call: bounds the memory of a large users file, while the adapter batches by 25. */
export const MARK_USERS_CHUNK = 1000;

export interface PublishGenerationResult {
  readonly generation: string;
  /** The generation the alias pointed at before, or null on the first run. */
  readonly previous: string | null;
  /** Users marked in the user-history table; present only when they were marked. */
  readonly usersMarked?: number;
}

export function makePublishGenerationHandler(deps: PublishGenerationDeps): (event: PublishGenerationEvent) => Promise<PublishGenerationResult> {
  if (deps.userHistory !== undefined && deps.store === undefined) {
    throw new ValidationError('publish generation needs a store to read the users file when it has a userHistory', { field: 'store' });
  }
  return async (event) => {
    const usersKey = event.usersKey === undefined ? undefined : requireString(event, 'usersKey');
    const published = {
      generation: requireString(event, 'generation'),
      clusterGeneration: requireString(event, 'clusterGeneration'),
      clusterCount: requireInteger(event, 'clusterCount', 1),
      campaignArn: requireString(event, 'campaignArn'),
      trackingId: requireString(event, 'trackingId'),
      alias: requireString(event, 'alias'),
    };
    const target = (await deps.index.listGenerations()).find((info) => info.generation === published.generation);
    if (!target?.complete) {
      throw new ValidationError(`generation ${published.generation} is ${target ? 'not finalized' : 'missing'}: run "Index images" first`, { field: 'generation' });
    }
    const { previous } = await deps.index.swapAlias(published.alias, published.generation);
    try {
      await deps.publisher.publish(published);
    } catch (error) {
      if (previous !== undefined && previous !== published.generation) await deps.index.swapAlias(published.alias, previous);
      throw new AppError(
        `publishing ${published.generation} failed, alias ${published.alias} ${previous ? `is back on ${previous}` : 'was left on the new generation (there was none before)'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const result = { generation: published.generation, previous: previous ?? null };
    if (deps.userHistory === undefined || deps.store === undefined || usersKey === undefined) return result;
    const usersMarked = await markUsers(deps.store, usersKey, deps.userHistory).catch((error: unknown) => {
      throw new AppError(
        `${published.generation} is published, but marking its trained users from ${usersKey} failed (rerunning the step is safe): ${(error as Error).message}`,
        { cause: error },
      );
    });
    return { ...result, usersMarked };
  };
}

/** Streams the users file into recordActivities in chunks; returns the number of ids read (blank lines skipped). */
async function markUsers(store: ObjectStore, key: string, history: UserHistory): Promise<number> {
  let chunk: string[] = [];
  let count = 0;
  for await (const line of store.readLines(key)) {
    const userId = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (userId === '') continue;
    chunk.push(userId);
    count++;
    if (chunk.length === MARK_USERS_CHUNK) {
      await history.recordActivities(chunk);
      chunk = [];
    }
  }
  if (chunk.length > 0) await history.recordActivities(chunk);
  return count;
}
