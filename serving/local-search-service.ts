/**
 * The search system in local mode: loads the generation the serving alias points at as one unit (index generation,
 * embedder, clusters, ranker) and switches to a new one as soon as the pipeline swaps the alias, without a restart
 * and without mixing generations within a response.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { clusterItemId } from '../core/cluster-items';
import { NoIndexError, NotFoundError } from '../core/errors';
import type { FusionStrategy } from '../core/fusion';
import { readGenerationInfo, type GenerationInfo } from '../core/local/local-generation';
import { LocalEmbedder } from '../core/local/local-embedder';
import { LocalRanker } from '../core/local/local-ranker';
import { LocalStateLayout, SERVING_ALIAS } from '../core/local/local-state';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { appendEventLog, readEventLog } from '../core/local/ranker-event-log';
import { loadRankerModel } from '../core/local/ranker-model-file';
import { personalizedSearch, rankClusters, type SearchGeneration } from '../core/personalized-search';
import type { EventRequest, HealthResponse, SearchRequest, SearchResponse, SearchService } from './api-types';
import { PreferenceCache } from './preference-cache';
import { toPersonalizedQuery, toSearchResponse } from './search-response';

interface LoadedGeneration {
  readonly info: GenerationInfo;
  readonly search: SearchGeneration;
  readonly embedder: LocalEmbedder;
  readonly ranker: LocalRanker;
  readonly clusterOf: ReadonlyMap<string, number>;
  readonly imageKeys: ReadonlyMap<string, string>;
}

export interface LocalSearchServiceProps {
  readonly stateDir: string;
  readonly strategy?: FusionStrategy;
  /** k-NN hits re-ranked per search. @default 100 */
  readonly candidates?: number;
  readonly preferenceTtlMs?: number;
  /**
   * How long a read of the alias is reused before the next request reads it again: a swap reaches serving within this
   * time. Reading it on every request put a file open/read/close on each search's path, and that is what set the p99.
   * @default 250
   */
  readonly aliasCheckMs?: number;
}

export class LocalSearchService implements SearchService {
  private readonly layout: LocalStateLayout;
  private readonly index: LocalVectorIndex;
  private readonly cache: PreferenceCache;
  private current: LoadedGeneration | undefined;
  private loading: { readonly generation: string; readonly promise: Promise<LoadedGeneration> } | undefined;
  private aliasRead: { readonly at: number; readonly target: Promise<string | undefined> } | undefined;
  /** Appends to the event log one at a time, in arrival order. */
  private logQueue: Promise<void> = Promise.resolve();

  constructor(private readonly props: LocalSearchServiceProps) {
    this.layout = new LocalStateLayout(props.stateDir);
    this.index = new LocalVectorIndex({ root: this.layout.indexRoot });
    this.cache = new PreferenceCache(
      async (userId, generation) => {
        const loaded = this.current;
        if (!loaded || loaded.info.generation !== generation.generation || !loaded.ranker.hasHistory(userId)) return undefined;
        return rankClusters(loaded.ranker, userId, generation);
      },
      { ...(props.preferenceTtlMs !== undefined && { ttlMs: props.preferenceTtlMs }) },
    );
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const loaded = await this.generation();
    const { results, personalized } = await personalizedSearch(
      {
        embedder: loaded.embedder,
        index: this.index,
        preferences: async (userId, generation) =>
          loaded.ranker.hasHistory(userId) ? this.cache.get(userId, generation) : undefined,
      },
      loaded.search,
      toPersonalizedQuery(request, this.props),
    );
    return toSearchResponse(results, { generation: loaded.info.generation, weight: request.weight, personalized });
  }

  async recordEvent(event: EventRequest): Promise<void> {
    const loaded = await this.generation();
    const cluster = loaded.clusterOf.get(event.imageId);
    if (cluster === undefined) throw new NotFoundError(`no image with imageId ${JSON.stringify(event.imageId)} in generation ${loaded.info.generation}`);
    // The image-level log outlives generations: the next pipeline run trains on it and the next generation replays it.
    const write = this.logQueue.then(() =>
      appendEventLog(this.layout.eventLog, [{ userId: event.userId, sessionId: event.sessionId, eventType: event.eventType, itemId: event.imageId, sentAt: event.timestamp }]),
    );
    this.logQueue = write.catch(() => undefined);
    await write;
    await loaded.ranker.putEvents({
      userId: event.userId,
      sessionId: event.sessionId,
      events: [{ eventType: event.eventType, itemId: clusterItemId(loaded.info.clusterGeneration, cluster), sentAt: event.timestamp }],
    });
    this.cache.invalidate(event.userId);
  }

  async health(): Promise<HealthResponse> {
    const loaded = await this.generation();
    return {
      status: 'ok',
      generation: loaded.info.generation,
      images: loaded.info.images,
      models: { ...loaded.info.models, index: loaded.info.generation },
    };
  }

  /** The file of a known image; ids not in the served generation, and any path outside the data folder, resolve to nothing. */
  imageFile(imageId: string): string | undefined {
    const loaded = this.current;
    const key = loaded?.imageKeys.get(imageId);
    if (!loaded || key === undefined) return undefined;
    const root = resolve(loaded.info.dataDir);
    const file = resolve(join(root, key));
    return file.startsWith(root + sep) ? file : undefined;
  }

  /** The generation the alias points at, loaded; keeps serving the current one while a new one loads. */
  async generation(): Promise<LoadedGeneration> {
    const target = await this.aliasTarget();
    if (target === undefined) throw new NoIndexError(SERVING_ALIAS);
    if (this.current?.info.generation === target) return this.current;
    if (this.loading?.generation !== target) {
      const promise = this.load(target);
      this.loading = { generation: target, promise };
      promise.then(
        (loaded) => {
          if (this.loading?.promise === promise) {
            this.current = loaded;
            this.loading = undefined;
          }
        },
        () => {
          if (this.loading?.promise === promise) this.loading = undefined;
        },
      );
    }
    return this.current ?? this.loading.promise;
  }

  private aliasTarget(): Promise<string | undefined> {
    const now = performance.now();
    if (this.aliasRead === undefined || now - this.aliasRead.at >= (this.props.aliasCheckMs ?? 250)) {
      const target = this.index.resolveAlias(SERVING_ALIAS);
      this.aliasRead = { at: now, target };
      // A failed read is not reused: the next request reads again.
      target.catch(() => {
        if (this.aliasRead?.target === target) this.aliasRead = undefined;
      });
    }
    return this.aliasRead.target;
  }

  private async load(generation: string): Promise<LoadedGeneration> {
    const info = await readGenerationInfo(this.layout, generation);
    const [embedder, rankerModel, assignmentsText, manifestText] = await Promise.all([
      LocalEmbedder.load(this.layout.embedderModel(generation)),
      loadRankerModel(this.layout.rankerModel(generation)),
      readFile(this.layout.assignments(generation), 'utf8'),
      readFile(join(info.dataDir, 'manifest.jsonl'), 'utf8'),
    ]);
    const clusterOf = new Map<string, number>();
    for (const line of assignmentsText.split('\n')) {
      if (line.trim() === '') continue;
      const { imageId, cluster } = JSON.parse(line) as { imageId: string; cluster: number };
      clusterOf.set(imageId, cluster);
    }
    const imageKeys = new Map<string, string>();
    for (const line of manifestText.split('\n')) {
      if (line.trim() === '') continue;
      const { imageId, key } = JSON.parse(line) as { imageId: string; key: string };
      if (clusterOf.has(imageId)) imageKeys.set(imageId, key);
    }
    const ranker = new LocalRanker(rankerModel);
    await replayRecentEvents(ranker, this.layout.eventLog, info, clusterOf);
    // Warm the index so the first search after a swap does not pay for loading it.
    await this.index.search({ generation }, new Float32Array(info.dimension).fill(1 / Math.sqrt(info.dimension)), { k: 1 });
    return {
      info,
      search: { generation, clusterGeneration: info.clusterGeneration, clusterCount: info.clusterCount },
      embedder,
      ranker,
      clusterOf,
      imageKeys,
    };
  }
}

/** Events recorded after the generation's training data was read are fed to its ranker, mapped to its clusters. */
async function replayRecentEvents(ranker: LocalRanker, eventLog: string, info: GenerationInfo, clusterOf: ReadonlyMap<string, number>): Promise<void> {
  const { events } = await readEventLog(eventLog);
  for (const e of events) {
    const cluster = clusterOf.get(e.itemId);
    if (cluster === undefined || e.sentAt.getTime() / 1000 <= info.trainedThrough) continue;
    await ranker.putEvents({
      userId: e.userId,
      sessionId: e.sessionId,
      events: [{ eventType: e.eventType as EventRequest['eventType'], itemId: clusterItemId(info.clusterGeneration, cluster), sentAt: e.sentAt }],
    });
  }
}
