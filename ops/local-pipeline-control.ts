/**
 * The PipelineControl port on a laptop: runs are the local runner in this process, history is `<state>/runs.jsonl`
 * plus the lock file for a run in progress, and teardown deletes what belongs to generations the serving alias does not
 * point at (index generation, generation folder, the bucket's work files) and finished runs' Map results.
 * There is no scheduler locally, so the schedule methods say where the schedule lives.
 */
import { access, readdir, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { assertClusterGeneration } from '../core/cluster-items';
import { AppError, ConcurrentRunError, NotFoundError } from '../core/errors';
import { parseExecutionInput } from '../core/execution-input';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { readRunRecords } from '../core/local/local-run-log';
import { LocalStateLayout, SERVING_ALIAS } from '../core/local/local-state';
import { LockFileExecutionGuard } from '../core/local/lock-file-execution-guard';
import type { LockHolder } from '../core/local/lock-file-execution-guard';
import type {
  ExecutionSummary, PipelineControl, RunEvent, ScheduleState, StartedRun, TeardownItem, TeardownResult,
} from '../core/ports/pipeline-control';
import { runLocalPipeline } from '../state-machines/local-runner';
import type { LocalPipelineOptions, LocalPipelineResult } from '../state-machines/local-runner';
import { PIPELINE_PREFIXES } from '../state-machines/pipeline-keys';

export const INDEX_GENERATION = 'index generation';
export const GENERATION_FILES = 'generation files';
export const WORK_FILES = 'work files';
export const MAP_RESULTS = 'Map results';

/**
 * What a run writes per generation in the state folder's bucket (the definition's keys, see pipeline-keys.ts and
 * retraining-state-machine.ts); a path that does not exist is simply not planned, so a layout change leaves files
 * behind rather than deleting the wrong ones.
 */
const GENERATION_WORK_PATHS: readonly ((generation: string) => string)[] = [
  (g) => `${PIPELINE_PREFIXES.embeddings}${g}`,
  (g) => `${PIPELINE_PREFIXES.kmeans}${g}`,
  (g) => `${PIPELINE_PREFIXES.kmeans}models/kmeans-${g}`,
  (g) => `${PIPELINE_PREFIXES.assignments}${g}.jsonl`,
  (g) => `${PIPELINE_PREFIXES.personalize}${g}`,
];

export const NO_LOCAL_SCHEDULE_MESSAGE =
  'local mode has no retraining schedule: the schedule is an EventBridge rule of the AWS stack (use --aws); ' +
  'locally, run the pipeline when you want with "npm run cli -- run"';

export interface LocalPipelineControlProps {
  /** The state folder (index, generations, runs.jsonl, lock file). */
  readonly stateDir: string;
  /** The library the runs train on (manifest.jsonl, images, interactions.csv). */
  readonly dataDir: string;
  /** Clusters. @default the runner's default (48) */
  readonly k?: number;
  /** @default the runner's default (42) */
  readonly seed?: number;
  /** Embedder training epochs (fewer in tests). @default the runner's default */
  readonly embedderEpochs?: number;
  /** @default the stack's (20) */
  readonly embedBatchSize?: number;
  /** @default the stack's (10) */
  readonly maxConcurrency?: number;
  /** Make this state fail, to see the failure path (the CLI reads PIPELINE_FAIL_AT). */
  readonly failAt?: string;
  /** The pipeline runner; a test seam. @default runLocalPipeline */
  readonly runner?: (options: LocalPipelineOptions) => Promise<LocalPipelineResult>;
}

export class LocalPipelineControl implements PipelineControl {
  readonly mode = 'local' as const;
  private readonly props: LocalPipelineControlProps;
  private readonly layout: LocalStateLayout;
  private readonly guard: LockFileExecutionGuard;

  constructor(props: LocalPipelineControlProps) {
    this.props = props;
    this.layout = new LocalStateLayout(props.stateDir);
    this.guard = new LockFileExecutionGuard({ path: join(this.layout.root, 'pipeline.lock') });
  }

  /**
   * Resolves once the run has claimed the lock; a run refused before that (another run in progress, a definition the
   * runner cannot run) rejects here. The run goes on whether or not events are read.
   */
  async start(input: Readonly<Record<string, unknown>>): Promise<StartedRun> {
    const { generation, qualityTolerance } = parseExecutionInput(input);
    const feed = new EventFeed();
    let started!: (run: { readonly executionId: string; readonly startedAt: Date }) => void;
    const claimed = new Promise<{ readonly executionId: string; readonly startedAt: Date }>((resolve) => (started = resolve));
    const { runner = runLocalPipeline, stateDir, dataDir, k, seed, embedderEpochs, embedBatchSize, maxConcurrency, failAt } = this.props;
    const options: LocalPipelineOptions = {
      stateDir, dataDir, onEvent: (event) => feed.push(event), onStarted: started,
      ...(k !== undefined && { k }), ...(seed !== undefined && { seed }), ...(embedderEpochs !== undefined && { embedderEpochs }),
      ...(embedBatchSize !== undefined && { embedBatchSize }), ...(maxConcurrency !== undefined && { maxConcurrency }),
      ...(failAt !== undefined && { failAt }), ...(generation !== undefined && { generation }),
      ...(qualityTolerance !== undefined && { qualityTolerance }),
    };
    const run = runner(options);
    run.then(
      () => feed.close(feed.finished ? undefined : new AppError('the local run ended without reporting its outcome')),
      (error: unknown) => feed.close(error),
    );
    // A run refused before it claims the lock (another run in progress, a definition it cannot run) rejects here.
    const { executionId, startedAt } = await Promise.race([claimed, run.then((result) => ({ executionId: result.executionId, startedAt: new Date() }))]);
    return { id: executionId, startedAt, events: () => feed.iterate() };
  }

  async describe(id: string): Promise<ExecutionSummary> {
    const found = (await this.all()).find((run) => run.id === id || run.name === id);
    if (!found) throw new NotFoundError(`no local execution "${id}" in ${this.layout.root}: "npm run cli -- history" lists them`);
    return found;
  }

  async list(limit: number): Promise<ExecutionSummary[]> {
    return (await this.all()).slice(0, limit);
  }

  async readSchedule(): Promise<ScheduleState> {
    throw new AppError(NO_LOCAL_SCHEDULE_MESSAGE);
  }

  async setScheduleEnabled(): Promise<ScheduleState> {
    throw new AppError(NO_LOCAL_SCHEDULE_MESSAGE);
  }

  async setScheduleExpression(): Promise<ScheduleState> {
    throw new AppError(NO_LOCAL_SCHEDULE_MESSAGE);
  }

  /** Index generations and generation folders the alias does not serve, including a failed or rejected run's. */
  async planTeardown(): Promise<TeardownItem[]> {
    const running = await this.guard.current();
    if (running) throw inProgress(running);
    const index = this.index();
    const served = await index.resolveAlias(SERVING_ALIAS);
    const plan: TeardownItem[] = [];
    for (const info of await index.listGenerations()) {
      if (info.generation === served) continue;
      const note = info.complete ? `${info.count} image${info.count === 1 ? '' : 's'}, not served` : 'incomplete: left by a failed run';
      plan.push({ kind: INDEX_GENERATION, id: info.generation, note });
    }
    const indexed = new Set(plan.map((item) => item.id));
    const folders = await this.generationFolders();
    for (const name of folders) {
      if (name === served) continue;
      const note = indexed.has(name) ? 'models and assignments, not served' : 'no index generation: left by a failed or rejected run';
      plan.push({ kind: GENERATION_FILES, id: this.layout.generationDir(name), note });
    }
    const runs = await readRunRecords(this.layout.root);
    const generations = new Set([...indexed, ...folders, ...runs.flatMap((run) => run.generation ?? [])]);
    plan.push(...(await this.workFiles([...generations].filter((g) => g !== served).sort(), runs.map((run) => run.name))));
    return plan;
  }

  /** One item per generation that does not serve with files in the bucket, and one per finished run's Map results. */
  private async workFiles(generations: readonly string[], executions: readonly string[]): Promise<TeardownItem[]> {
    const items: TeardownItem[] = [];
    for (const generation of generations) {
      const found = (await Promise.all(this.generationWorkPaths(generation).map(exists))).filter(Boolean).length;
      if (found > 0) items.push({ kind: WORK_FILES, id: generation, note: `${found} path${found === 1 ? '' : 's'} under ${this.bucket}` });
    }
    for (const name of executions) {
      const found = (await Promise.all((await this.mapResultPaths(name)).map(exists))).filter(Boolean).length;
      if (found > 0) items.push({ kind: MAP_RESULTS, id: name, note: `under ${join(this.bucket, PIPELINE_PREFIXES.runs)}` });
    }
    return items;
  }

  private generationWorkPaths(generation: string): string[] {
    return GENERATION_WORK_PATHS.map((at) => join(this.bucket, at(generation)));
  }

  /** `runs/<result writer prefix>/<execution name>`, whatever the prefixes the definition's Maps write under. */
  private async mapResultPaths(execution: string): Promise<string[]> {
    const runs = join(this.bucket, PIPELINE_PREFIXES.runs);
    return (await subfolders(runs)).map((results) => join(runs, results, execution));
  }

  private get bucket(): string {
    return join(this.layout.root, 'bucket');
  }

  /** Holds the run lock while deleting, so no run starts building a generation under it; never deletes the served one. */
  async teardown(items: readonly TeardownItem[]): Promise<TeardownResult> {
    const runId = `local-teardown-${process.pid}-${Date.now()}`;
    try {
      await this.guard.claim({ runId, startedAt: new Date() });
    } catch (error) {
      if (!(error instanceof ConcurrentRunError)) throw error;
      const reason = `not deleted: ${error.message}`;
      return { deleted: [], left: items.map((item) => ({ ...item, reason })) };
    }
    try {
      const index = this.index();
      const served = await index.resolveAlias(SERVING_ALIAS);
      const deleted: TeardownItem[] = [];
      const left: (TeardownItem & { reason: string })[] = [];
      for (const item of items) {
        try {
          const reason = await this.deleteItem(item, index, served);
          if (reason === undefined) deleted.push(item);
          else left.push({ ...item, reason });
        } catch (error) {
          left.push({ ...item, reason: (error as Error).message });
        }
      }
      return { deleted, left };
    } finally {
      await this.guard.release(runId);
    }
  }

  /** Returns why the item was left, or undefined once it is gone. */
  private async deleteItem(item: TeardownItem, index: LocalVectorIndex, served: string | undefined): Promise<string | undefined> {
    if (item.kind === INDEX_GENERATION) {
      if (item.id === served) return `it serves the alias "${SERVING_ALIAS}"`;
      try {
        await index.deleteGeneration(item.id);
      } catch (error) {
        // Already gone (a second teardown, or the run's own clean-up step): nothing left to delete.
        if (!(error instanceof NotFoundError)) throw error;
      }
      return undefined;
    }
    if (item.kind === GENERATION_FILES) {
      const name = basename(item.id);
      // Only a folder directly under <state>/generations: an item is data, and must not steer an rm -r elsewhere.
      if (resolve(item.id) !== this.layout.generationDir(name)) return `not a generation folder of ${this.layout.root}`;
      if (name === served) return `generation ${name} serves the alias "${SERVING_ALIAS}"`;
      await rm(item.id, { recursive: true, force: true });
      return undefined;
    }
    if (item.kind === WORK_FILES) {
      // The id is a generation name; checking its form keeps an item from steering rm -r outside the bucket.
      assertClusterGeneration(item.id);
      if (item.id === served) return `generation ${served} serves the alias "${SERVING_ALIAS}"`;
      for (const path of this.generationWorkPaths(item.id)) await rm(path, { recursive: true, force: true });
      return undefined;
    }
    if (item.kind === MAP_RESULTS) {
      if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(item.id)) return `"${item.id}" is not an execution name`;
      for (const path of await this.mapResultPaths(item.id)) await rm(path, { recursive: true, force: true });
      return undefined;
    }
    return `a local teardown cannot delete a ${item.kind}`;
  }

  /** Newest first: the run in progress (from the lock file), then runs.jsonl. */
  private async all(): Promise<ExecutionSummary[]> {
    const records = (await readRunRecords(this.layout.root)).reverse();
    const running = await this.guard.current();
    if (!running || records.some((run) => run.id === running.runId)) return records;
    return [runningSummary(running), ...records];
  }

  private index(): LocalVectorIndex {
    return new LocalVectorIndex({ root: this.layout.indexRoot });
  }

  private generationFolders(): Promise<string[]> {
    return subfolders(join(this.layout.root, 'generations'));
  }
}

async function subfolders(path: string): Promise<string[]> {
  try {
    const entries = await readdir(path, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('.')).map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

function runningSummary(holder: LockHolder): ExecutionSummary {
  return { id: holder.runId, name: holder.runId.split(':').at(-1) ?? holder.runId, status: 'RUNNING', startedAt: new Date(holder.startedAt) };
}

function inProgress(holder: LockHolder): ConcurrentRunError {
  return new ConcurrentRunError(
    `a pipeline run is in progress (${holder.runId}, pid ${holder.pid}): teardown could delete the generation it is building; wait for it to finish`,
  );
}

/** Every event of one run, kept so a reader that starts late (or a second reader) still sees them all. */
class EventFeed {
  private readonly events: RunEvent[] = [];
  private readonly waiting: (() => void)[] = [];
  private ended: { readonly error?: unknown } | undefined;
  /** The outcome, once the `finished` event came. */
  finished: ExecutionSummary | undefined;

  push(event: RunEvent): void {
    this.events.push(event);
    if (event.kind === 'finished') this.finished = event.execution;
    this.wake();
  }

  close(error?: unknown): void {
    this.ended ??= error === undefined ? {} : { error };
    this.wake();
  }

  async *iterate(): AsyncGenerator<RunEvent> {
    for (let next = 0; ; ) {
      const event = this.events[next];
      if (event !== undefined) {
        next++;
        yield event;
        if (event.kind === 'finished') return;
        continue;
      }
      if (this.ended) {
        if ('error' in this.ended) throw this.ended.error;
        return;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
