/** Summaries of repeated timings: median and p99 are what the benchmark reports for every measurement. */

export interface Summary {
  readonly median: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

/**
 * The p-th percentile (0..100) by linear interpolation between the closest ranks (numpy's default), so the median of
 * an even count is the mean of the middle two and p99 of few samples leans on the slowest one instead of hiding it.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples: measure at least one run');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const position = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples: measure at least one run');
  for (const s of samples) if (!Number.isFinite(s)) throw new RangeError(`samples must be finite numbers, got ${s}`);
  return {
    median: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: samples.reduce((sum, s) => sum + s, 0) / samples.length,
    min: Math.min(...samples),
    max: Math.max(...samples),
    count: samples.length,
  };
}

export interface RepeatOptions {
  /** Runs first and thrown away: JIT compilation, lazy loads and caches settle before timing starts. */
  readonly warmup: number;
  readonly runs: number;
}

/** Milliseconds of each timed run of `fn`, run one after another (the i-th run gets its index). */
export async function timeRuns(fn: (run: number) => unknown, options: RepeatOptions): Promise<number[]> {
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new RangeError(`warmup must be an integer >= 0, got ${options.warmup}`);
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new RangeError(`runs must be an integer >= 1, got ${options.runs}`);
  for (let i = 0; i < options.warmup; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const started = performance.now();
    await fn(options.warmup + i);
    times.push(performance.now() - started);
  }
  return times;
}

/** Times one call; returns its result and the milliseconds it took. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ readonly value: T; readonly ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}
