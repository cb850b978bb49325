import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '../core/errors';
import { DEFAULT_PER_PAIR, DEFAULT_SEED, MAX_PER_PAIR, STYLES, SUBJECTS, type Style, type Subject } from './constants';
import { interactionsCsv, simulateInteractions } from './interactions';
import { checkOutputDir, makeStagingDir, publishStagingDir } from './output-dir';
import { assertPersonalizeMinimums, interactionStats, type InteractionStats } from './personalize-minimums';
import { planLibrary } from './plan';
import { renderImage } from './render';

export interface GenerateOptions {
  /** Destination folder; built in a temporary sibling and renamed into place when complete. */
  readonly outDir: string;
  /** @default 42 */
  readonly seed?: number;
  /** Variants per subject-style pair. @default 20 (960 images) */
  readonly perPair?: number;
  /** Replace a non-empty outDir (only once the new library is complete). @default false */
  readonly force?: boolean;
  /** Simulated users besides the named ones. @default 320 */
  readonly users?: number;
  /** Images rendered at once; sharp renders on libuv's thread pool. @default number of cores + 1 */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** One manifest.jsonl line. */
export interface ManifestEntry {
  readonly imageId: string;
  /** Path relative to the library folder. */
  readonly key: string;
  readonly subject: Subject;
  readonly style: Style;
  readonly caption: string;
}

export interface GenerateResult {
  readonly outDir: string;
  readonly images: number;
  readonly users: number;
  readonly stats: InteractionStats;
  readonly eventTypes: Readonly<Record<string, number>>;
  readonly seconds: number;
}

export function validateCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be an integer from ${min} to ${max}, got ${value}`, { field: name });
  }
}

/** Run `work` over items with at most `limit` in flight, keeping results in input order. */
async function mapLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Render the sample library: images, manifest.jsonl, interactions.csv, users.json. Deterministic for a seed. */
export async function generateSampleLibrary(opts: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const seed = opts.seed ?? DEFAULT_SEED;
  const perPair = opts.perPair ?? DEFAULT_PER_PAIR;
  validateCount('seed', seed, 0, 2 ** 32 - 1);
  validateCount('perPair', perPair, 1, MAX_PER_PAIR);
  if (opts.users !== undefined) validateCount('users', opts.users, 30, 100_000);
  const force = opts.force ?? false;
  await checkOutputDir(opts.outDir, force);

  const plans = planLibrary(seed, perPair);
  const { users, events } = simulateInteractions({ seed, perPair, ...(opts.users === undefined ? {} : { users: opts.users }) });
  const stats = interactionStats(events);
  assertPersonalizeMinimums(stats);

  const staging = await makeStagingDir(opts.outDir);
  try {
    for (const style of STYLES) for (const subject of SUBJECTS) await mkdir(join(staging, 'images', style, subject), { recursive: true });
    let done = 0;
    await mapLimited(plans, opts.concurrency ?? availableParallelism() + 1, async (plan) => {
      const png = await renderImage(plan);
      await writeFile(join(staging, plan.key), png);
      opts.onProgress?.(++done, plans.length);
    });
    const manifest = plans.map((p) => {
      const entry: ManifestEntry = { imageId: p.imageId, key: p.key, subject: p.subject, style: p.style, caption: p.caption };
      return JSON.stringify(entry);
    });
    await writeFile(join(staging, 'manifest.jsonl'), `${manifest.join('\n')}\n`);
    await writeFile(join(staging, 'interactions.csv'), interactionsCsv(events));
    await writeFile(join(staging, 'users.json'), `${JSON.stringify({ seed, perPair, users }, null, 2)}\n`);
    await publishStagingDir(staging, opts.outDir, force);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
  const eventTypes: Record<string, number> = {};
  for (const e of events) eventTypes[e.eventType] = (eventTypes[e.eventType] ?? 0) + 1;
  return {
    outDir: opts.outDir,
    images: plans.length,
    users: users.length,
    stats,
    eventTypes,
    seconds: (performance.now() - started) / 1000,
  };
}
