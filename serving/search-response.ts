/**
 * The mapping between the API's search and the core's personalised search, shared by the local and the AWS service so
 * both answer in exactly the same shape.
 */
import { explain, type FusedResult, type FusionStrategy } from '../core/fusion';
import type { PersonalizedQuery } from '../core/personalized-search';
import type { SearchRequest, SearchResponse } from './api-types';

export interface QueryOptions {
  readonly strategy?: FusionStrategy;
  readonly candidates?: number;
}

export function toPersonalizedQuery(request: SearchRequest, options: QueryOptions): PersonalizedQuery {
  return {
    ...(request.q !== undefined && { text: request.q }),
    ...(request.image !== undefined && { image: request.image }),
    ...(request.userId !== undefined && { userId: request.userId }),
    k: request.k,
    weight: request.weight,
    strategy: options.strategy ?? 'weighted-mean',
    ...(options.candidates !== undefined && { candidates: options.candidates }),
  };
}

export const localImageUrl = (imageId: string): string => `/images/${encodeURIComponent(imageId)}`;

export function toSearchResponse(
  results: readonly FusedResult[],
  context: { readonly generation: string; readonly weight: number; readonly personalized: boolean },
  imageUrl: (imageId: string, metadata: Readonly<Record<string, string>>) => string = localImageUrl,
): SearchResponse {
  return {
    results: results.map((r) => ({
      imageId: r.id,
      url: imageUrl(r.id, r.metadata),
      score: r.score,
      similarity: r.similarity,
      preference: r.preference ?? null,
      cluster: r.cluster,
      metadata: publicMetadata(r.metadata),
      why: explain(r),
    })),
    generation: context.generation,
    weight: context.weight,
    personalized: context.personalized,
  };
}

/** The manifest fields a client may see: everything but the storage key. */
function publicMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const { key: _key, ...rest } = metadata;
  return rest;
}
