/**
 * Stand-ins for the preference comparison: the sequential variant of `personalizedSearch` (preference lookup only
 * after the k-NN call), which exists here only to measure what the product's parallel lookup saves, and adapters that
 * add a fixed delay in front of a port to play a network hop.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rerank, type FusedResult } from '../core/fusion';
import { DEFAULT_CANDIDATES, embedQuery, type PersonalizedQuery, type SearchComponents, type SearchGeneration } from '../core/personalized-search';
import type { PutEventsRequest, RankedItem, RankRequest, Ranker } from '../core/ports/ranker';
import type { GenerationInfo, IndexRecord, SearchHit, SearchOptions, UpsertResult, VectorIndex } from '../core/ports/vector-index';

/** `personalizedSearch` with the lookup moved after the k-NN call: embed, search, then ask for preferences. */
export async function sequentialPersonalizedSearch(
  components: SearchComponents,
  generation: SearchGeneration,
  query: PersonalizedQuery,
): Promise<{ results: FusedResult[]; personalized: boolean }> {
  const vector = await embedQuery(components.embedder, query);
  const hits = await components.index.search({ generation: generation.generation }, vector, { k: Math.max(query.candidates ?? DEFAULT_CANDIDATES, query.k) });
  const preferences = query.userId !== undefined && query.weight > 0 ? await components.preferences(query.userId, generation) : undefined;
  const results = rerank(hits, preferences, { strategy: query.strategy ?? 'weighted-mean', weight: query.weight, k: query.k });
  return { results, personalized: preferences !== undefined };
}

/** A ranker whose every rank call first waits `delayMs`, like a GetPersonalizedRanking round trip. */
export class DelayedRanker implements Ranker {
  constructor(
    private readonly inner: Ranker,
    private readonly delayMs: number,
  ) {}

  async rank(request: RankRequest): Promise<RankedItem[]> {
    await sleep(this.delayMs);
    return this.inner.rank(request);
  }

  putEvents(request: PutEventsRequest): Promise<void> {
    return this.inner.putEvents(request);
  }
}

/** An index whose searches first wait `delayMs`, like an OpenSearch k-NN query over the network. */
export class DelayedVectorIndex implements VectorIndex {
  constructor(
    private readonly inner: VectorIndex,
    private readonly delayMs: number,
  ) {}

  async search(target: { readonly alias: string } | { readonly generation: string }, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]> {
    await sleep(this.delayMs);
    return this.inner.search(target, vector, options);
  }

  createGeneration(generation: string, options: { readonly dimension: number }): Promise<void> {
    return this.inner.createGeneration(generation, options);
  }

  upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult> {
    return this.inner.upsert(generation, records);
  }

  finalize(generation: string): Promise<GenerationInfo> {
    return this.inner.finalize(generation);
  }

  swapAlias(alias: string, generation: string): Promise<{ readonly previous: string | undefined }> {
    return this.inner.swapAlias(alias, generation);
  }

  resolveAlias(alias: string): Promise<string | undefined> {
    return this.inner.resolveAlias(alias);
  }

  listGenerations(): Promise<GenerationInfo[]> {
    return this.inner.listGenerations();
  }

  deleteGeneration(generation: string): Promise<void> {
    return this.inner.deleteGeneration(generation);
  }
}
