import type { EventType } from '../core/ports/ranker';

/** A validated search: text, image, or both. */
export interface SearchRequest {
  readonly q?: string;
  readonly image?: Uint8Array;
  readonly userId?: string;
  readonly k: number;
  readonly weight: number;
}

export interface SearchResult {
  readonly imageId: string;
  readonly url: string;
  readonly score: number;
  readonly similarity: number;
  /** The user's normalised preference for the image's cluster; null for a user without history. */
  readonly preference: number | null;
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** One line on why it ranks where it does. */
  readonly why: string;
}

export interface SearchResponse {
  readonly results: SearchResult[];
  readonly generation: string;
  readonly weight: number;
  readonly personalized: boolean;
}

/** A validated interaction event. */
export interface EventRequest {
  readonly userId: string;
  readonly imageId: string;
  readonly eventType: EventType;
  readonly sessionId: string;
  readonly timestamp: Date;
}

export interface HealthResponse {
  readonly status: 'ok';
  readonly generation: string;
  readonly images: number;
  readonly models: Readonly<Record<string, string>>;
}

/** What the API handler needs from the search system; one implementation per deployment (local, AWS). */
export interface SearchService {
  search(request: SearchRequest): Promise<SearchResponse>;
  recordEvent(event: EventRequest): Promise<void>;
  health(): Promise<HealthResponse>;
}
