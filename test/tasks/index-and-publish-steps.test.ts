import { describe, expect, it } from 'vitest';
import { makeCleanupGenerationsHandler } from '../../tasks/cleanup-generations';
import { makeIndexImagesHandler } from '../../tasks/index-images';
import type { UserHistory } from '../../core/ports/user-history';
import { MARK_USERS_CHUNK, makePublishGenerationHandler } from '../../tasks/publish-generation';
import { MemoryObjectStore } from '../fixtures/memory-object-store';
import { MemoryVectorIndex, RecordingPublisher } from './pipeline-fakes';

const indexEvent = { generation: 'gen-2', embeddingsPrefix: 'embeddings/gen-2/', assignmentsKey: 'assignments/gen-2.jsonl', manifestKey: 'images/manifest.jsonl', dimension: 2 };

async function runStore(ids: string[]): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  await store.writeLines('images/manifest.jsonl', ids.map((id) => JSON.stringify({ imageId: id, key: `images/${id}.png`, caption: `a ${id}`, style: 'ink' })));
  await store.writeLines('embeddings/gen-2/a.jsonl', ids.map((id, i) => JSON.stringify({ imageId: id, vector: [1, i] })));
  await store.writeLines(indexEvent.assignmentsKey, ids.map((id, i) => JSON.stringify({ imageId: id, cluster: i % 2 })));
  return store;
}

describe('index images', () => {
  it('builds and finalizes a new generation with clusters and manifest metadata, leaving the alias alone', async () => {
    const index = new MemoryVectorIndex();
    const result = await makeIndexImagesHandler({ index, store: await runStore(['x', 'y', 'z']), chunkSize: 2 })(indexEvent);
    expect(result).toEqual({ generation: 'gen-2', indexed: 3 });
    const stored = index.generations.get('gen-2');
    expect(stored?.complete).toBe(true);
    expect(stored?.records.get('z')).toMatchObject({ cluster: 0, metadata: { key: 'images/z.png', caption: 'a z', style: 'ink' } });
    expect(index.aliases.size).toBe(0);
  });

  it('fails naming the images that did not index', async () => {
    const index = new MemoryVectorIndex();
    index.failIds = new Set(['y']);
    await expect(makeIndexImagesHandler({ index, store: await runStore(['x', 'y']) })(indexEvent)).rejects.toThrow(
      /1 of 2 images failed to index into gen-2 \(y: mapper_parsing_exception\); the alias was not changed/,
    );
  });

  it('fails when the finalized generation holds fewer images than were embedded', async () => {
    const index = new MemoryVectorIndex();
    index.loseOnFinalize = 1;
    await expect(makeIndexImagesHandler({ index, store: await runStore(['x', 'y']) })(indexEvent)).rejects.toThrow(/holds 1 images after finalize, expected 2/);
  });

  it('fails for an embedded image without a cluster', async () => {
    const store = await runStore(['x']);
    await store.writeLines(indexEvent.assignmentsKey, []);
    await expect(makeIndexImagesHandler({ index: new MemoryVectorIndex(), store })(indexEvent)).rejects.toThrow(/image x has an embedding but no cluster/);
  });
});

async function indexWith(generations: { name: string; complete: boolean }[], aliased?: string): Promise<MemoryVectorIndex> {
  const index = new MemoryVectorIndex();
  for (const g of generations) {
    await index.createGeneration(g.name, { dimension: 2 });
    if (g.complete) await index.finalize(g.name);
  }
  if (aliased) await index.swapAlias('images', aliased);
  return index;
}

/** Records each recordActivities call; can fail to show the error path. */
class RecordingUserHistory implements UserHistory {
  readonly calls: string[][] = [];
  failWith: Error | undefined;
  async hasHistory(userId: string): Promise<boolean> {
    return this.calls.some((ids) => ids.includes(userId));
  }
  async recordActivity(userId: string): Promise<void> {
    await this.recordActivities([userId]);
  }
  async recordActivities(userIds: readonly string[]): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.calls.push([...userIds]);
  }
}

const publishEvent = { generation: 'gen-2', clusterGeneration: 'gen-2', clusterCount: 12, campaignArn: 'arn:campaign', trackingId: 'track-1', alias: 'images' };

describe('publish generation', () => {
  it('swaps the alias and publishes every serving parameter, returning the previous generation', async () => {
    const index = await indexWith([{ name: 'gen-1', complete: true }, { name: 'gen-2', complete: true }], 'gen-1');
    const publisher = new RecordingPublisher();
    const result = await makePublishGenerationHandler({ index, publisher })(publishEvent);
    expect(result).toEqual({ generation: 'gen-2', previous: 'gen-1' });
    expect(index.aliases.get('images')).toBe('gen-2');
    expect(publisher.published).toEqual([publishEvent]);
  });

  it('returns null as the previous generation on the first run', async () => {
    const index = await indexWith([{ name: 'gen-2', complete: true }]);
    expect(await makePublishGenerationHandler({ index, publisher: new RecordingPublisher() })(publishEvent)).toEqual({ generation: 'gen-2', previous: null });
  });

  it('puts the alias back on the previous generation when publishing fails', async () => {
    const index = await indexWith([{ name: 'gen-1', complete: true }, { name: 'gen-2', complete: true }], 'gen-1');
    const publisher = new RecordingPublisher();
    publisher.failWith = new Error('AccessDenied');
    await expect(makePublishGenerationHandler({ index, publisher })(publishEvent)).rejects.toThrow(/alias images is back on gen-1: AccessDenied/);
    expect(index.aliases.get('images')).toBe('gen-1');
  });

  it('refuses a generation that was not finalized, keeping the old alias', async () => {
    const index = await indexWith([{ name: 'gen-1', complete: true }, { name: 'gen-2', complete: false }], 'gen-1');
    await expect(makePublishGenerationHandler({ index, publisher: new RecordingPublisher() })(publishEvent)).rejects.toThrow(/gen-2 is not finalized/);
    expect(index.aliases.get('images')).toBe('gen-1');
  });
});

describe('publish generation: marking trained users', () => {
  const usersKey = 'personalize/gen-2/users.txt';

  it('marks every user of the users file in chunks after publishing, and reports the count', async () => {
    const index = await indexWith([{ name: 'gen-1', complete: true }, { name: 'gen-2', complete: true }], 'gen-1');
    const store = new MemoryObjectStore();
    const ids = Array.from({ length: MARK_USERS_CHUNK + 5 }, (_, i) => `user-${i}`);
    await store.writeLines(usersKey, ids);
    const userHistory = new RecordingUserHistory();
    const publisher = new RecordingPublisher();
    const result = await makePublishGenerationHandler({ index, publisher, userHistory, store })({ ...publishEvent, usersKey });
    expect(result).toEqual({ generation: 'gen-2', previous: 'gen-1', usersMarked: ids.length });
    expect(userHistory.calls.map((chunk) => chunk.length)).toEqual([MARK_USERS_CHUNK, 5]);
    expect(userHistory.calls.flat()).toEqual(ids);
    expect(publisher.published).toEqual([publishEvent]);
  });

  it('marks nobody without a userHistory (the local runner) or without a usersKey', async () => {
    const index = await indexWith([{ name: 'gen-2', complete: true }]);
    const store = new MemoryObjectStore();
    await store.writeLines(usersKey, ['alice']);
    const userHistory = new RecordingUserHistory();
    expect(await makePublishGenerationHandler({ index, publisher: new RecordingPublisher() })({ ...publishEvent, usersKey })).toEqual({ generation: 'gen-2', previous: null });
    expect(await makePublishGenerationHandler({ index, publisher: new RecordingPublisher(), userHistory, store })(publishEvent)).toEqual({ generation: 'gen-2', previous: 'gen-2' });
    expect(userHistory.calls).toEqual([]);
  });

  it('marks nobody when publishing fails, and says the generation is live when marking fails', async () => {
    const index = await indexWith([{ name: 'gen-1', complete: true }, { name: 'gen-2', complete: true }], 'gen-1');
    const store = new MemoryObjectStore();
    await store.writeLines(usersKey, ['alice', 'bob']);
    const userHistory = new RecordingUserHistory();
    const failing = new RecordingPublisher();
    failing.failWith = new Error('AccessDenied');
    await expect(makePublishGenerationHandler({ index, publisher: failing, userHistory, store })({ ...publishEvent, usersKey })).rejects.toThrow(/back on gen-1/);
    expect(userHistory.calls).toEqual([]);

    userHistory.failWith = new Error('throttled');
    await expect(makePublishGenerationHandler({ index, publisher: new RecordingPublisher(), userHistory, store })({ ...publishEvent, usersKey })).rejects.toThrow(
      /gen-2 is published, but marking its trained users from personalize\/gen-2\/users.txt failed .*: throttled/,
    );
    expect(index.aliases.get('images')).toBe('gen-2');
  });

  it('requires a store with a userHistory, and a non-empty usersKey', async () => {
    const index = await indexWith([{ name: 'gen-2', complete: true }]);
    const userHistory = new RecordingUserHistory();
    expect(() => makePublishGenerationHandler({ index, publisher: new RecordingPublisher(), userHistory })).toThrow(/needs a store/);
    const handler = makePublishGenerationHandler({ index, publisher: new RecordingPublisher(), userHistory, store: new MemoryObjectStore() });
    await expect(handler({ ...publishEvent, usersKey: '' })).rejects.toThrow(/usersKey is required/);
    expect(index.aliases.get('images')).toBeUndefined();
  });
});

describe('clean up generations', () => {
  it('keeps the newest complete generations up to the retention and the aliased one; deletes the rest and failed leftovers', async () => {
    const index = await indexWith([
      { name: 'gen-20261101-000000', complete: true },
      { name: 'gen-20261108-000000', complete: true },
      { name: 'gen-20261115-000000', complete: false },
      { name: 'gen-20261122-000000', complete: true },
      { name: 'gen-20261129-000000', complete: true },
    ], 'gen-20261101-000000');
    const result = await makeCleanupGenerationsHandler({ index })({ alias: 'images', retention: 2 });
    expect(result.kept).toEqual(['gen-20261129-000000', 'gen-20261122-000000', 'gen-20261101-000000']);
    expect(result.deleted).toEqual(['gen-20261115-000000', 'gen-20261108-000000']);
    expect([...index.generations.keys()].sort()).toEqual(['gen-20261101-000000', 'gen-20261122-000000', 'gen-20261129-000000']);
  });

  it('rejects a retention below one', async () => {
    await expect(makeCleanupGenerationsHandler({ index: new MemoryVectorIndex() })({ alias: 'images', retention: 0 })).rejects.toThrow(/retention must be an integer in \[1,/);
  });
});
