/**
 * The search system on AWS, mirroring LocalSearchService: the generation the pipeline published (SSM parameters, read
 * together and cached briefly) is one unit — index generation, cluster id space, campaign and tracker — so a publish
 * switches serving within seconds and one response never mixes two generations.
 */
import { clusterItemId, assertClusterGeneration } from '../core/cluster-items';
import { AppError, NoIndexError, NotFoundError } from '../core/errors';
import type { FusionStrategy } from '../core/fusion';
import { personalizedSearch, rankClusters, type SearchGeneration } from '../core/personalized-search';
import type { Embedder } from '../core/ports/embedder';
import type { ImageCatalog } from '../core/ports/image-catalog';
import type { ParameterReader } from '../core/ports/parameter-reader';
import type { Ranker } from '../core/ports/ranker';
import type { UserHistory } from '../core/ports/user-history';
import type { VectorIndex } from '../core/ports/vector-index';
import type { EventRequest, HealthResponse, SearchRequest, SearchResponse, SearchService } from './api-types';
import { PreferenceCache } from './preference-cache';
import { toPersonalizedQuery, toSearchResponse } from './search-response';

/** The parameter names under the serving prefix, as the pipeline's publish step writes them. */
export const SERVING_PARAMETERS = ['generation', 'clusterGeneration', 'clusterCount', 'campaignArn', 'trackingId', 'alias'] as const;

export interface PublishedGeneration extends SearchGeneration {
  readonly campaignArn: string;
  readonly trackingId: string;
  readonly alias: string;
}

export interface AwsSearchServiceDeps {
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  readonly catalog: ImageCatalog;
  readonly userHistory: UserHistory;
  readonly parameters: ParameterReader;
  /** The ranker of a published campaign and event tracker (a PersonalizeRanker on AWS). */
  readonly rankerFor: (published: PublishedGeneration) => Ranker;
}

export interface AwsSearchServiceOptions {
  /** SSM path the pipeline publishes under, e.g. `/image-search/serving`. */
  readonly parameterPrefix: string;
  /** Alias named in the 503 before the first publish. @default 'images' */
  readonly alias?: string;
  /** How long the published generation is reused before SSM is read again. @default 5000 */
  readonly parameterCacheMs?: number;
  /**
   * How long a user's cluster preferences (and the no-history answer) are reused. The events Lambda is another process
   * and cannot invalidate this cache, so keep it short. @default 5000
   */
  readonly preferenceTtlMs?: number;
  /** k-NN hits re-ranked per search. @default 100 */
  readonly candidates?: number;
  readonly strategy?: FusionStrategy;
  /** Where a client fetches an image. @default `/images/<imageId>` */
  readonly imageUrl?: (imageId: string, metadata: Readonly<Record<string, string>>) => string;
  readonly now?: () => number;
  /** Waits between re-reads while a publish is in progress. @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Re-reads of a publish caught half-written before giving up (the six writes take well under a second). */
const TORN_READ_ATTEMPTS = 5;
const TORN_READ_WAIT_MS = 200;

export class AwsSearchService implements SearchService {
  private readonly cache: PreferenceCache;
  private readonly rankers = new Map<string, Ranker>();
  private published: { readonly expires: number; readonly value: Promise<PublishedGeneration> } | undefined;
  /** The last complete publish read, served while a newer publish is half-written. */
  private lastComplete: PublishedGeneration | undefined;
  private readonly now: () => number;

  constructor(
    private readonly deps: AwsSearchServiceDeps,
    private readonly options: AwsSearchServiceOptions,
  ) {
    if (!/^\/[A-Za-z0-9_.\-/]+[^/]$/.test(options.parameterPrefix)) {
      throw new AppError(`parameterPrefix ${JSON.stringify(options.parameterPrefix)} must be an SSM path like /image-search/serving (leading "/", no trailing "/")`);
    }
    this.now = options.now ?? Date.now;
    this.cache = new PreferenceCache(
      async (userId, generation) => {
        // Personalize scores unknown users by popularity; the product promises them the plain order instead.
        if (!(await this.deps.userHistory.hasHistory(userId))) return undefined;
        const published = await this.current();
        if (published.generation !== generation.generation) return undefined;
        return rankClusters(this.rankerOf(published), userId, generation);
      },
      { ttlMs: options.preferenceTtlMs ?? 5_000, now: this.now },
    );
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    const published = await this.current();
    const { results, personalized } = await personalizedSearch(
      { embedder: this.deps.embedder, index: this.deps.index, preferences: (userId, generation) => this.cache.get(userId, generation) },
      published,
      toPersonalizedQuery(request, this.options),
    );
    return toSearchResponse(results, { generation: published.generation, weight: request.weight, personalized }, this.options.imageUrl);
  }

  async recordEvent(event: EventRequest): Promise<void> {
    const published = await this.current();
    const entry = await this.deps.catalog.lookup(published.generation, event.imageId);
    if (entry === undefined) throw new NotFoundError(`no image with imageId ${JSON.stringify(event.imageId)} in generation ${published.generation}`);
    await this.rankerOf(published).putEvents({
      userId: event.userId,
      sessionId: event.sessionId,
      events: [{ eventType: event.eventType, itemId: clusterItemId(published.clusterGeneration, entry.cluster), sentAt: event.timestamp }],
    });
    // After PutEvents: a user is marked only once Personalize has an event of theirs to rank by.
    await this.deps.userHistory.recordActivity(event.userId);
    this.cache.invalidate(event.userId);
  }

  async health(): Promise<HealthResponse> {
    const published = await this.current();
    const generations = await this.deps.index.listGenerations();
    const info = generations.find((g) => g.generation === published.generation);
    if (!info) throw new NotFoundError(`published generation ${published.generation} is not in the index; the pipeline's publish step and the index disagree`);
    return {
      status: 'ok',
      generation: published.generation,
      images: info.count,
      models: {
        embedder: this.deps.embedder.modelVersion,
        clusters: published.clusterGeneration,
        campaign: published.campaignArn,
        index: published.generation,
      },
    };
  }

  /** The published generation, read from SSM at most once per cache period; concurrent callers share the read. */
  current(): Promise<PublishedGeneration> {
    const now = this.now();
    if (this.published && this.published.expires > now) return this.published.value;
    const value = this.readPublished();
    const entry = { expires: now + (this.options.parameterCacheMs ?? 5_000), value };
    // A failed read is not cached: the next request reads again.
    value.catch(() => {
      if (this.published === entry) this.published = undefined;
    });
    this.published = entry;
    return value;
  }

  /**
   * Reads the six parameters in one call. The pipeline writes `generation` last, so a parameter newer than it means a
   * publish is in progress: the previous complete publish keeps serving (or, on a cold start, the read is retried)
   * rather than pairing one run's index with another run's campaign.
   */
  private async readPublished(): Promise<PublishedGeneration> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 1; ; attempt++) {
      const read = await this.readOnce();
      if (read.complete) {
        this.lastComplete = read.published;
        return read.published;
      }
      if (this.lastComplete) return this.lastComplete;
      if (attempt >= TORN_READ_ATTEMPTS) {
        throw new AppError(`a publish of generation parameters under ${this.options.parameterPrefix} is still in progress after ${attempt} reads; retry shortly`);
      }
      await sleep(TORN_READ_WAIT_MS);
    }
  }

  private async readOnce(): Promise<{ readonly published: PublishedGeneration; readonly complete: boolean }> {
    const prefix = this.options.parameterPrefix;
    const values = await this.deps.parameters.getParameters(SERVING_PARAMETERS.map((name) => `${prefix}/${name}`));
    const read = (name: (typeof SERVING_PARAMETERS)[number]) => values[`${prefix}/${name}`];
    const value = (name: (typeof SERVING_PARAMETERS)[number]): string | undefined => read(name)?.value;
    const generation = value('generation');
    if (generation === undefined) throw new NoIndexError(this.options.alias ?? value('alias') ?? 'images');
    const missing = SERVING_PARAMETERS.filter((name) => value(name) === undefined);
    if (missing.length > 0) {
      throw new AppError(`the published generation ${generation} is incomplete: SSM parameters ${missing.map((n) => `${prefix}/${n}`).join(', ')} are missing`);
    }
    const clusterCount = Number(value('clusterCount'));
    if (!Number.isInteger(clusterCount) || clusterCount < 1) throw new AppError(`SSM parameter ${prefix}/clusterCount is ${JSON.stringify(value('clusterCount'))}, expected a whole number >= 1`);
    const clusterGeneration = value('clusterGeneration') as string;
    assertClusterGeneration(clusterGeneration);
    const committed = read('generation')?.lastModified?.getTime();
    const complete = committed === undefined || SERVING_PARAMETERS.every((name) => (read(name)?.lastModified?.getTime() ?? 0) <= committed);
    return {
      complete,
      published: {
        generation,
        clusterGeneration,
        clusterCount,
        campaignArn: value('campaignArn') as string,
        trackingId: value('trackingId') as string,
        alias: value('alias') as string,
      },
    };
  }

  private rankerOf(published: PublishedGeneration): Ranker {
    const key = `${published.campaignArn}\n${published.trackingId}`;
    let ranker = this.rankers.get(key);
    if (!ranker) {
      ranker = this.deps.rankerFor(published);
      this.rankers.set(key, ranker);
    }
    return ranker;
  }
}
