/**
 * Retry with capped exponential backoff and full jitter, and a bounded-concurrency map. Sleep and randomness are
 * injectable so tests record the delays instead of waiting for them.
 * Full jitter: https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
import { ValidationError } from '../errors';

export interface RetryOptions {
  /** Tries in all, the first one included. @default 5 */
  readonly maxAttempts?: number;
  /** Upper bound of the first delay. @default 200 */
  readonly baseDelayMs?: number;
  /** Upper bound of any one delay. @default 20000 */
  readonly maxDelayMs?: number;
  /** @default setTimeout-based sleep */
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, `isRetryable` says no, or the attempts run out; the last error is rethrown. */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const base = options.baseDelayMs ?? 200;
  const cap = options.maxDelayMs ?? 20_000;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= maxAttempts || !isRetryable(error)) throw error;
      await sleep(Math.floor(random() * Math.min(cap, base * 2 ** (n - 1))));
    }
  }
}

export function validateRetryOptions(options: RetryOptions | undefined, prefix: string): void {
  if (options?.maxAttempts !== undefined && (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)) {
    throw new ValidationError(`${prefix}.maxAttempts must be an integer >= 1, got ${options.maxAttempts}`, { field: `${prefix}.maxAttempts` });
  }
  for (const key of ['baseDelayMs', 'maxDelayMs'] as const) {
    const value = options?.[key];
    if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
      throw new ValidationError(`${prefix}.${key} must be a number >= 0, got ${value}`, { field: `${prefix}.${key}` });
    }
  }
}

/** `fn` over every item with at most `limit` calls in flight; results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** The SDK v3 error name (`ThrottlingException`, ...) or undefined for something that is not an error object. */
export function errorName(error: unknown): string | undefined {
  return error !== null && typeof error === 'object' && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
