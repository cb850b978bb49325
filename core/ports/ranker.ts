/** Event types the product records, in the Personalize interactions shape. */
export type EventType = 'view' | 'favorite' | 'download';

export const EVENT_TYPES: readonly EventType[] = ['view', 'favorite', 'download'];

export interface RankRequest {
  readonly userId: string;
  /** Item ids (here: cluster item ids) to order; 1..500 of them, as in GetPersonalizedRanking. */
  readonly inputList: readonly string[];
  readonly context?: Readonly<Record<string, string>>;
}

export interface RankedItem {
  readonly itemId: string;
  /** Scores sum to 1 over the scored items; items unknown to the model come last without a score. */
  readonly score?: number;
}

export interface TrackedEvent {
  readonly eventType: EventType;
  readonly itemId: string;
  readonly sentAt: Date;
}

export interface PutEventsRequest {
  readonly userId: string;
  readonly sessionId: string;
  readonly events: readonly TrackedEvent[];
}

/** Shaped like Amazon Personalize's Personalized-Ranking campaign plus its event tracker. */
export interface Ranker {
  rank(request: RankRequest): Promise<RankedItem[]>;
  /** Recorded events change the user's ranking at once. */
  putEvents(request: PutEventsRequest): Promise<void>;
}
