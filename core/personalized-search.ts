import { ValidationError } from './errors';
import { clusterItemId, parseClusterItemId } from './cluster-items';
import { rerank, type FusedResult, type FusionStrategy } from './fusion';
import type { Embedder } from './ports/embedder';
import type { Ranker } from './ports/ranker';
import type { VectorIndex } from './ports/vector-index';
import { normalizeInPlace } from './vector-math';

/** One served generation: the index generation, and the cluster id space its ranker was trained on. */
export interface SearchGeneration {
  readonly generation: string;
  readonly clusterGeneration: string;
  readonly clusterCount: number;
}

export interface SearchComponents {
  readonly embedder: Embedder;
  readonly index: VectorIndex;
  /** The user's preference per cluster, or undefined for a user without history (no personalisation). */
  readonly preferences: (userId: string, generation: SearchGeneration) => Promise<ReadonlyMap<number, number> | undefined>;
}

export interface PersonalizedQuery {
  readonly text?: string;
  readonly image?: Uint8Array;
  readonly userId?: string;
  readonly k: number;
  readonly weight: number;
  readonly strategy?: FusionStrategy;
  /** How many k-NN hits are re-ranked. */
  readonly candidates?: number;
}

export const DEFAULT_CANDIDATES = 100;

/**
 * The personalisation weight when a request gives none. Chosen by `npm run eval` on the sample library: at 0.75 the
 * three style users get their style for "cat" (10/10 each) at no cost in subject precision, where 0.5 still lets the
 * query's closest style through (6-7/10); see the README's evaluation table.
 */
export const DEFAULT_WEIGHT = 0.75;

/** Embeds text, an image, or both; both gives the normalised mean of the two vectors, as Titan does. */
export async function embedQuery(embedder: Embedder, query: Pick<PersonalizedQuery, 'text' | 'image'>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  if (query.text !== undefined) parts.push(...(await embedder.embedText([query.text])));
  if (query.image !== undefined) {
    const { embedded, skipped } = await embedder.embedImages([{ id: 'query', bytes: query.image }]);
    if (embedded[0] === undefined) throw new ValidationError(`the query image could not be read: ${skipped[0]?.reason ?? 'unknown reason'}`, { field: 'image' });
    parts.push(embedded[0].vector);
  }
  const [first] = parts;
  if (first === undefined) throw new ValidationError('give a text query, an image, or both', { field: 'q' });
  const sum = new Float32Array(first.length);
  for (const part of parts) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (part[i] as number);
  return normalizeInPlace(sum);
}

/** Asks the ranker to order every cluster of the generation for the user, keyed by cluster number. */
export async function rankClusters(ranker: Ranker, userId: string, generation: SearchGeneration): Promise<Map<number, number>> {
  const inputList = Array.from({ length: generation.clusterCount }, (_, c) => clusterItemId(generation.clusterGeneration, c));
  const ranked = await ranker.rank({ userId, inputList });
  const preferences = new Map<number, number>();
  for (const item of ranked) {
    const parsed = parseClusterItemId(item.itemId);
    if (parsed && item.score !== undefined) preferences.set(parsed.cluster, item.score);
  }
  return preferences;
}

/**
 * Embeds the query and runs k-NN while the user's cluster preferences are fetched in parallel, then blends the two.
 * A user without history, or weight 0, gets exactly the non-personalised order.
 */
export async function personalizedSearch(
  components: SearchComponents,
  generation: SearchGeneration,
  query: PersonalizedQuery,
): Promise<{ results: FusedResult[]; personalized: boolean }> {
  const preferences = query.userId !== undefined && query.weight > 0 ? components.preferences(query.userId, generation) : Promise.resolve(undefined);
  // Attach a handler now so a ranker failure while the k-NN call runs is not an unhandled rejection.
  preferences.catch(() => undefined);
  const vector = await embedQuery(components.embedder, query);
  const hits = await components.index.search({ generation: generation.generation }, vector, { k: Math.max(query.candidates ?? DEFAULT_CANDIDATES, query.k) });
  const userPreferences = await preferences;
  const results = rerank(hits, userPreferences, { strategy: query.strategy ?? 'weighted-mean', weight: query.weight, k: query.k });
  return { results, personalized: userPreferences !== undefined };
}
