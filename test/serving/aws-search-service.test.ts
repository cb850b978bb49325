import { describe, expect, it } from 'vitest';
import { AppError, NoIndexError, NotFoundError } from '../../core/errors';
import type { Embedder, EmbedImagesResult } from '../../core/ports/embedder';
import type { CatalogEntry, ImageCatalog } from '../../core/ports/image-catalog';
import type { ParameterReader, ParameterValue } from '../../core/ports/parameter-reader';
import type { PutEventsRequest, RankedItem, RankRequest, Ranker } from '../../core/ports/ranker';
import type { UserHistory } from '../../core/ports/user-history';
import type { GenerationInfo, IndexRecord, SearchHit, SearchOptions, UpsertResult, VectorIndex } from '../../core/ports/vector-index';
import { dot, normalized } from '../../core/vector-math';
import { createApiHandler } from '../../serving/api-handler';
import { AwsSearchService, type PublishedGeneration } from '../../serving/aws-search-service';

const PREFIX = '/image-search/serving';

/** "red" and "blue" land on two axes; any other text is in between. */
class AxisEmbedder implements Embedder {
  readonly dimension = 2;
  readonly modelVersion = 'axis/2';
  async embedText(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((t) => normalized(new Float32Array(t === 'red' ? [1, 0.05] : t === 'blue' ? [0.05, 1] : [1, 1])));
  }
  async embedImages(): Promise<EmbedImagesResult> {
    return { embedded: [], skipped: [] };
  }
}

/** Exact search over records per generation; enough of the port for serving. */
class MemoryIndex implements VectorIndex {
  readonly generations = new Map<string, IndexRecord[]>();
  readonly searched: string[] = [];
  async createGeneration(generation: string): Promise<void> {
    this.generations.set(generation, []);
  }
  async upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult> {
    this.generations.get(generation)?.push(...records);
    return { indexed: records.length, failed: [] };
  }
  async finalize(generation: string): Promise<GenerationInfo> {
    return { generation, count: this.generations.get(generation)?.length ?? 0, complete: true };
  }
  async search(target: { alias: string } | { generation: string }, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]> {
    if (!('generation' in target)) throw new Error('serving must search a generation by name');
    this.searched.push(target.generation);
    const records = this.generations.get(target.generation);
    if (!records) throw new NotFoundError(`no generation ${target.generation}`);
    return records
      .map((r) => ({ id: r.id, similarity: dot(r.vector, vector), cluster: r.cluster, metadata: r.metadata }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, options.k);
  }
  async swapAlias(): Promise<{ previous: string | undefined }> {
    return { previous: undefined };
  }
  async resolveAlias(): Promise<string | undefined> {
    return undefined;
  }
  async listGenerations(): Promise<GenerationInfo[]> {
    return [...this.generations].map(([generation, records]) => ({ generation, count: records.length, complete: true }));
  }
  async deleteGeneration(generation: string): Promise<void> {
    this.generations.delete(generation);
  }
}

/** Ranks clusters by a fixed per-user preference order, like a trained campaign would; records events. */
class ScriptedRanker implements Ranker {
  readonly ranked: RankRequest[] = [];
  readonly events: PutEventsRequest[] = [];
  constructor(
    readonly campaignArn: string,
    private readonly prefers: Readonly<Record<string, string>>,
  ) {}
  async rank(request: RankRequest): Promise<RankedItem[]> {
    this.ranked.push(request);
    const favourite = this.prefers[request.userId];
    // Unknown users get popularity scores (the first item first), as Personalize does.
    return request.inputList.map((itemId, i) => ({ itemId, score: favourite === undefined ? (i === 0 ? 0.9 : 0.1) : itemId.endsWith(favourite) ? 0.9 : 0.1 }));
  }
  async putEvents(request: PutEventsRequest): Promise<void> {
    this.events.push(request);
  }
}

class MemoryUserHistory implements UserHistory {
  readonly users = new Set<string>();
  async hasHistory(userId: string): Promise<boolean> {
    return this.users.has(userId);
  }
  async recordActivity(userId: string): Promise<void> {
    this.users.add(userId);
  }
  async recordActivities(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) this.users.add(userId);
  }
}

/** SSM as the pipeline's publisher writes it: one parameter at a time, `generation` last. */
class MemoryParameters implements ParameterReader {
  values: Record<string, ParameterValue> = {};
  reads = 0;
  private clock = 0;
  /** Writes the given fields in order (generation last when present), each a tick later. */
  publish(generation: Partial<PublishedGeneration>): void {
    const fields = Object.keys(generation).sort((a, b) => Number(a === 'generation') - Number(b === 'generation'));
    for (const field of fields) {
      this.values[`${PREFIX}/${field}`] = { value: String(generation[field as keyof PublishedGeneration]), lastModified: new Date(++this.clock * 1000) };
    }
  }
  async getParameters(names: readonly string[]): Promise<Record<string, ParameterValue>> {
    this.reads++;
    return Object.fromEntries(names.filter((n) => n in this.values).map((n) => [n, this.values[n] as ParameterValue]));
  }
}

const GEN1 = { generation: 'gen-1', clusterGeneration: 'gen-1', clusterCount: 2, campaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/c1', trackingId: 't1', alias: 'images' };
const GEN2 = { ...GEN1, generation: 'gen-2', clusterGeneration: 'gen-2', campaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/c2' };

function record(id: string, vector: number[], cluster: number): IndexRecord {
  return { id, vector: normalized(new Float32Array(vector)), cluster, metadata: { style: cluster === 0 ? 'watercolor' : 'photo', key: `images/${id}.png` } };
}

function setup(sleep?: (ms: number) => Promise<void>) {
  const clock = { now: 1_000_000 };
  const index = new MemoryIndex();
  // "red" matches a0 (cluster 0) slightly better than b0 (cluster 1).
  index.generations.set('gen-1', [record('a0', [1, 0.1], 0), record('b0', [1, 0.2], 1), record('c0', [0.1, 1], 1)]);
  index.generations.set('gen-2', [record('a0', [1, 0.1], 1), record('b0', [1, 0.2], 0)]);
  const catalog: ImageCatalog = {
    lookup: async (generation, imageId): Promise<CatalogEntry | undefined> => {
      const r = index.generations.get(generation)?.find((x) => x.id === imageId);
      return r && { cluster: r.cluster, metadata: r.metadata };
    },
  };
  const rankers: ScriptedRanker[] = [];
  const parameters = new MemoryParameters();
  const userHistory = new MemoryUserHistory();
  const service = new AwsSearchService(
    {
      embedder: new AxisEmbedder(),
      index,
      catalog,
      userHistory,
      parameters,
      rankerFor: (published) => {
        // Every user who has history prefers cluster 1 in gen-1's clusters.
        const ranker = new ScriptedRanker(published.campaignArn, { alice: '.c1', bob: '.c1' });
        rankers.push(ranker);
        return ranker;
      },
    },
    { parameterPrefix: PREFIX, parameterCacheMs: 5_000, preferenceTtlMs: 5_000, now: () => clock.now, ...(sleep && { sleep }) },
  );
  return { clock, index, parameters, userHistory, rankers, service };
}

describe('AwsSearchService', () => {
  it('answers 503-style NoIndexError until the pipeline has published a generation', async () => {
    const { service } = setup();
    await expect(service.search({ q: 'red', k: 2, weight: 0.5 })).rejects.toBeInstanceOf(NoIndexError);
  });

  it('names the missing SSM parameters when a publish is incomplete', async () => {
    const { service, parameters } = setup();
    parameters.publish({ clusterGeneration: 'gen-1', generation: 'gen-1' });
    const error = await service.search({ q: 'red', k: 2, weight: 0.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as Error).message).toMatch(/\/image-search\/serving\/clusterCount.*\/image-search\/serving\/campaignArn/);
  });

  it('gives a user without history exactly the non-personalised order and never asks the ranker', async () => {
    const { service, parameters, rankers } = setup();
    parameters.publish(GEN1);
    const anonymous = await service.search({ q: 'red', k: 3, weight: 0.5 });
    const newcomer = await service.search({ q: 'red', k: 3, weight: 0.5, userId: 'carol' });
    expect(newcomer.personalized).toBe(false);
    expect(newcomer.results.map((r) => r.imageId)).toEqual(anonymous.results.map((r) => r.imageId));
    expect(newcomer.results.map((r) => r.imageId)).toEqual(['a0', 'b0', 'c0']);
    expect(newcomer.results.every((r) => r.preference === null)).toBe(true);
    expect(rankers.flatMap((r) => r.ranked)).toEqual([]);
  });

  it('re-ranks by the cluster preferences of a user with history, in the published cluster id space', async () => {
    const { service, parameters, userHistory, rankers } = setup();
    parameters.publish(GEN1);
    userHistory.users.add('alice');
    const response = await service.search({ q: 'red', k: 2, weight: 0.9, userId: 'alice' });
    expect(response.personalized).toBe(true);
    // At weight 0.9 both cluster-1 images outrank a0, the best plain match.
    expect(response.results.map((r) => r.imageId)).toEqual(['b0', 'c0']);
    expect(response.results.map((r) => r.cluster)).toEqual([1, 1]);
    expect(rankers[0]?.ranked[0]?.inputList).toEqual(['gen-1.c0', 'gen-1.c1']);
    expect(response.results[0]?.metadata).toEqual({ style: 'photo' });
  });

  it('keeps serving the cached generation within the cache period, then switches to a new publish', async () => {
    const { service, parameters, clock, index } = setup();
    parameters.publish(GEN1);
    expect((await service.search({ q: 'red', k: 1, weight: 0 })).generation).toBe('gen-1');
    parameters.publish(GEN2);
    clock.now += 4_000;
    expect((await service.search({ q: 'red', k: 1, weight: 0 })).generation).toBe('gen-1');
    clock.now += 2_000;
    expect((await service.search({ q: 'red', k: 1, weight: 0 })).generation).toBe('gen-2');
    expect(index.searched).toEqual(['gen-1', 'gen-1', 'gen-2']);
    expect(parameters.reads).toBe(2);
  });

  it('keeps serving the previous complete publish while a new one is half-written, never pairing gen-1 with gen-2', async () => {
    const { service, parameters, clock, userHistory, rankers } = setup();
    userHistory.users.add('alice');
    parameters.publish(GEN1);
    await service.search({ q: 'red', k: 1, weight: 0.5, userId: 'alice' });
    // The pipeline has written everything but the commit mark.
    const { generation: _, ...rest } = GEN2;
    parameters.publish(rest);
    clock.now += 10_000;
    const during = await service.search({ q: 'red', k: 1, weight: 0.5, userId: 'alice' });
    expect(during.generation).toBe('gen-1');
    expect(rankers.map((r) => r.campaignArn)).toEqual([GEN1.campaignArn]);
    parameters.publish({ generation: 'gen-2' });
    clock.now += 10_000;
    expect((await service.search({ q: 'red', k: 1, weight: 0.5, userId: 'alice' })).generation).toBe('gen-2');
    expect(rankers.map((r) => r.campaignArn)).toEqual([GEN1.campaignArn, GEN2.campaignArn]);
  });

  it('re-reads on a cold start that catches a publish half-written, and serves it once complete', async () => {
    const waits: number[] = [];
    const pipeline: { parameters?: MemoryParameters } = {};
    // The publish completes while the service waits to re-read.
    const { service, parameters } = setup(async (ms) => {
      waits.push(ms);
      pipeline.parameters?.publish({ generation: 'gen-2' });
    });
    pipeline.parameters = parameters;
    parameters.publish(GEN1);
    const { generation: _, ...rest } = GEN2;
    parameters.publish(rest);
    const response = await service.search({ q: 'red', k: 1, weight: 0 });
    expect(response.generation).toBe('gen-2');
    expect(waits).toEqual([200]);
  });

  it('gives up with an error naming the prefix when a publish stays half-written on a cold start', async () => {
    const { service, parameters } = setup(async () => undefined);
    parameters.publish(GEN1);
    const { generation: _, ...rest } = GEN2;
    parameters.publish(rest);
    await expect(service.search({ q: 'red', k: 1, weight: 0 })).rejects.toThrow(/publish of generation parameters under \/image-search\/serving is still in progress after 5 reads/);
    expect(parameters.reads).toBe(5);
  });

  it('records an event against the image cluster of the published generation and marks the user', async () => {
    const { service, parameters, userHistory, rankers } = setup();
    parameters.publish(GEN1);
    const before = await service.search({ q: 'red', k: 2, weight: 0.9, userId: 'bob' });
    expect(before.personalized).toBe(false);
    const timestamp = new Date('2026-12-04T10:00:00Z');
    await service.recordEvent({ userId: 'bob', imageId: 'c0', eventType: 'favorite', sessionId: 's1', timestamp });
    expect(rankers[0]?.events).toEqual([{ userId: 'bob', sessionId: 's1', events: [{ eventType: 'favorite', itemId: 'gen-1.c1', sentAt: timestamp }] }]);
    expect(userHistory.users.has('bob')).toBe(true);
    // The event invalidated bob's cached "no history", so the next search is personalised at once.
    const after = await service.search({ q: 'red', k: 2, weight: 0.9, userId: 'bob' });
    expect(after.personalized).toBe(true);
  });

  it('refuses an event for an image the published generation does not have, without sending or marking anything', async () => {
    const { service, parameters, userHistory, rankers } = setup();
    parameters.publish(GEN1);
    await expect(service.recordEvent({ userId: 'bob', imageId: 'zz', eventType: 'view', sessionId: 's', timestamp: new Date(0) })).rejects.toBeInstanceOf(NotFoundError);
    expect(rankers.flatMap((r) => r.events)).toEqual([]);
    expect(userHistory.users.size).toBe(0);
  });

  it('maps an unknown imageId to 404 and a missing publish to 503 through the API handler', async () => {
    const { service, parameters } = setup();
    const handle = createApiHandler(service, { defaultWeight: 0.5, now: () => new Date(0) });
    expect((await handle({ method: 'GET', path: '/search', query: { q: 'red' }, headers: {} })).statusCode).toBe(503);
    parameters.publish(GEN1);
    const response = await handle({ method: 'POST', path: '/events', query: {}, headers: {}, body: JSON.stringify({ userId: 'u', imageId: 'nope', eventType: 'view' }) });
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).error).toMatch(/nope.*gen-1/);
  });

  it('uses the ranker of the campaign each generation was published with', async () => {
    const { service, parameters, userHistory, rankers, clock } = setup();
    userHistory.users.add('alice');
    parameters.publish(GEN1);
    await service.search({ q: 'red', k: 1, weight: 0.5, userId: 'alice' });
    parameters.publish(GEN2);
    clock.now += 10_000;
    await service.search({ q: 'red', k: 1, weight: 0.5, userId: 'alice' });
    expect(rankers.map((r) => r.campaignArn)).toEqual([GEN1.campaignArn, GEN2.campaignArn]);
    expect(rankers[1]?.ranked[0]?.inputList).toEqual(['gen-2.c0', 'gen-2.c1']);
  });

  it('reports the published generation and its image count as health', async () => {
    const { service, parameters } = setup();
    parameters.publish(GEN1);
    expect(await service.health()).toEqual({
      status: 'ok',
      generation: 'gen-1',
      images: 3,
      models: { embedder: 'axis/2', clusters: 'gen-1', campaign: GEN1.campaignArn, index: 'gen-1' },
    });
  });

  it('rejects a parameter prefix that is not an SSM path', () => {
    const { service: _ } = setup();
    expect(() => new AwsSearchService({} as never, { parameterPrefix: 'image-search/serving/' })).toThrow(/parameterPrefix/);
  });
});
