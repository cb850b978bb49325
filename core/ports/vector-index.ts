/** What is stored per image in an index generation. */
export interface IndexRecord {
  readonly id: string;
  readonly vector: Float32Array;
  readonly cluster: number;
  /** Manifest fields (subject, style, caption, key, ...). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Equality filter: every named field must equal one of the listed values (`cluster` or a metadata field). */
export type SearchFilter = Readonly<Record<string, readonly (string | number)[]>>;

export interface SearchOptions {
  readonly k: number;
  readonly filter?: SearchFilter;
}

export interface SearchHit {
  readonly id: string;
  /** Cosine similarity of the query and the stored vector, in [-1, 1]. */
  readonly similarity: number;
  readonly cluster: number;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface UpsertResult {
  readonly indexed: number;
  readonly failed: { readonly id: string; readonly reason: string }[];
}

export interface GenerationInfo {
  readonly generation: string;
  readonly count: number;
  /** True once `finalize` has completed: only complete generations can be aliased. */
  readonly complete: boolean;
}

/**
 * A k-NN index made of generations (one per pipeline run) and aliases that point at one generation each.
 * Serving reads through an alias; the pipeline builds a new generation, then swaps the alias atomically.
 */
export interface VectorIndex {
  createGeneration(generation: string, options: { readonly dimension: number }): Promise<void>;
  upsert(generation: string, records: readonly IndexRecord[]): Promise<UpsertResult>;
  /** Makes everything upserted searchable and durable (OpenSearch refresh; local: persist the graph). */
  finalize(generation: string): Promise<GenerationInfo>;
  /** Searches the generation an alias points at, or a generation by name. */
  search(target: { readonly alias: string } | { readonly generation: string }, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]>;
  /** Points the alias at the generation in one atomic step; returns the generation it pointed at before. */
  swapAlias(alias: string, generation: string): Promise<{ readonly previous: string | undefined }>;
  resolveAlias(alias: string): Promise<string | undefined>;
  listGenerations(): Promise<GenerationInfo[]>;
  /** Refuses to delete a generation that an alias points at. */
  deleteGeneration(generation: string): Promise<void>;
}
