/** How big and how often each benchmark runs: the full plan gives the numbers to quote, the quick one a smoke run. */

export interface KnnCase {
  readonly count: number;
  readonly dimension: number;
}

export interface BenchPlan {
  readonly knn: {
    readonly cases: readonly KnnCase[];
    /** Held-out queries, each timed once per search path after the warm-up ones. */
    readonly queries: number;
    readonly warmupQueries: number;
  };
  readonly serving: {
    readonly requests: number;
    readonly warmupRequests: number;
    /** Requests per concurrency level over HTTP. */
    readonly httpRequests: number;
    readonly concurrency: readonly number[];
    /** Searches per variant in the sequential-vs-parallel preference comparison. */
    readonly preferenceRequests: number;
    readonly rankerDelayMs: number;
  };
  /** Variants per style-subject pair of a library generated just for the run; undefined uses the sample library. */
  readonly generatedSamplePerPair: number | undefined;
  readonly pipeline: {
    /** Whole-pipeline builds timed; the first build also gives the generation the serving bench uses. */
    readonly builds: number;
    /** Undefined trains the embedder with its default epochs, as `npm start` does. */
    readonly embedderEpochs: number | undefined;
    readonly stepRuns: number;
    readonly k: number;
  };
  readonly memory: {
    readonly requests: number;
    readonly largeIndexVectors: number;
  };
}

export const FULL_PLAN: BenchPlan = {
  knn: {
    cases: [
      { count: 1_000, dimension: 256 },
      { count: 10_000, dimension: 256 },
      { count: 50_000, dimension: 256 },
      { count: 20_000, dimension: 1024 },
    ],
    queries: 200,
    warmupQueries: 20,
  },
  serving: {
    requests: 500,
    warmupRequests: 50,
    httpRequests: 600,
    concurrency: [1, 8, 32],
    preferenceRequests: 100,
    rankerDelayMs: 20,
  },
  generatedSamplePerPair: undefined,
  pipeline: { builds: 3, embedderEpochs: undefined, stepRuns: 5, k: 48 },
  memory: { requests: 500, largeIndexVectors: 50_000 },
};

export const QUICK_PLAN: BenchPlan = {
  knn: {
    cases: [
      { count: 1_000, dimension: 256 },
      { count: 5_000, dimension: 256 },
      { count: 2_000, dimension: 1024 },
    ],
    queries: 40,
    warmupQueries: 5,
  },
  serving: {
    requests: 100,
    warmupRequests: 10,
    httpRequests: 96,
    concurrency: [1, 8, 32],
    preferenceRequests: 20,
    rankerDelayMs: 20,
  },
  // 48 pairs x 3 = 144 images, enough for k = 48 and the ranker's minimums.
  generatedSamplePerPair: 3,
  pipeline: { builds: 1, embedderEpochs: 2, stepRuns: 2, k: 48 },
  memory: { requests: 50, largeIndexVectors: 5_000 },
};

export function planFor(quick: boolean): BenchPlan {
  return quick ? QUICK_PLAN : FULL_PLAN;
}
