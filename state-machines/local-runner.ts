/**
 * Runs the retraining state machine CDK synthesizes, on a laptop: the real stack's definition, executed by
 * aws-local-stepfunctions with a local handler for every Task (see local-handlers.ts), each Distributed Map through
 * local-map-step.ts. A Task without a handler stops the run before it starts. The local embedder is trained before the
 * execution starts, as its own step: it is the local counterpart of Titan being available, not a state.
 *
 * Every run that starts (it claimed the lock) ends with its ExecutionSummary appended to `<state>/runs.jsonl`, success
 * or failure, and reported as the `finished` RunEvent: the local execution history, as ListExecutions is on AWS.
 */
import './local-polyfill';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { writeFileAtomic, writeLinesAtomic } from '../core/atomic-file';
import { ValidationError } from '../core/errors';
import { readManifest } from '../core/image-manifest';
import { parseClusterModel, serializeClusterModel } from '../core/local/cluster-model-file';
import { FolderObjectStore } from '../core/local/folder-object-store';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { KMeansClusterer } from '../core/local/kmeans-clusterer';
import { LocalGenerationPublisher } from '../core/local/local-generation-publisher';
import type { GenerationInfo } from '../core/local/local-generation';
import { appendRunRecord } from '../core/local/local-run-log';
import { trainLocalEmbedder } from '../core/local/local-embedder';
import type { LocalEmbedder } from '../core/local/local-embedder';
import { LocalStateLayout, SERVING_ALIAS } from '../core/local/local-state';
import { LockFileExecutionGuard } from '../core/local/lock-file-execution-guard';
import { readEventLog } from '../core/local/ranker-event-log';
import { saveRankerModel } from '../core/local/ranker-model-file';
import { RoutedObjectStore } from '../core/local/routed-object-store';
import type { ClusterModel } from '../core/ports/clusterer';
import type { SkippedImage } from '../core/ports/embedder';
import type { ExecutionSummary, RunEvent } from '../core/ports/pipeline-control';
import type { QualityVerdict } from '../core/quality-gate';
import type { AslDefinition } from './render-definition';
import { LOCAL_MAP_RESOURCE, prepareForLocalRun, synthesizeLocalDefinition, taskStateNames } from './local-definition';
import { InjectedFailureError, lambdaHandlers, PIPELINE_EVENT_LOG, serviceHandler } from './local-handlers';
import type { LocalHandler } from './local-handlers';
import { errorInfo, makeLocalMapStep, zeroRetries } from './local-map-step';
import type { BatchReport } from './local-map-step';
import { createLocalPersonalize } from './local-personalize';
import { createLocalSageMaker } from './local-sagemaker';
import { batchLine, enteredLine, leftLine, summaryLines } from './local-progress';
import type { RunSummary, StepTiming } from './local-progress';
import { RunFollower } from './local-run-follower';
import { PIPELINE_PREFIXES } from './pipeline-keys';

/** Where the run stages the image-level interactions (library CSV + recorded events) for "Rewrite interactions". */
export const STAGED_INTERACTIONS_KEY = 'interactions/interactions.csv';

export interface LocalPipelineOptions {
  readonly dataDir: string;
  readonly stateDir: string;
  /** Clusters. @default 48 */
  readonly k?: number;
  readonly seed?: number;
  /** Embedder training epochs (fewer for fast tests). */
  readonly embedderEpochs?: number;
  /** Images per Map batch. @default 20 (the stack's) */
  readonly embedBatchSize?: number;
  /** @default 10 (the stack's) */
  readonly maxConcurrency?: number;
  /** Generation name; @default `gen-<UTC start time>` (the guard step names it). */
  readonly generation?: string;
  /** The quality gate's tolerance for this run (execution input `qualityTolerance`). @default the stack's (0.02) */
  readonly qualityTolerance?: number;
  /** Make this state's handler throw (test hook; the CLI reads PIPELINE_FAIL_AT). */
  readonly failAt?: string;
  /** One line per state, per Map batch, and the summary. */
  readonly onProgress?: (line: string) => void;
  /** Each step's timing as it finishes (the embedder training, then every state). */
  readonly onStep?: (timing: StepTiming) => void;
  /**
   * The run as RunEvents, as `run --follow` shows an execution: entered / exited / failed per top-level state (the
   * embedder training and the staging included), `map-progress` after each Map batch, and `finished` last.
   */
  readonly onEvent?: (event: RunEvent) => void;
  /** Once the run has claimed the lock, before any work: its execution id (what `describe` and the history know it by). */
  readonly onStarted?: (run: { readonly executionId: string; readonly startedAt: Date }) => void;
  /** Test hook: change the synthesized definition before it runs. */
  readonly transformDefinition?: (definition: AslDefinition) => AslDefinition;
}

export interface LocalPipelineResult extends RunSummary {
  readonly executionId: string;
  /** Every state entered, in order (Map children excluded). */
  readonly statesVisited: readonly string[];
  readonly info?: GenerationInfo;
  /** The quality gate's verdict, when the run got that far (also when it rejected the model). */
  readonly quality?: QualityVerdict;
}

/** Where the local Personalize keeps its solutions, versions, campaign and event tracker across runs. */
export const PERSONALIZE_STATE_FILE = 'personalize.json';

const WORK_PREFIXES = [...Object.values(PIPELINE_PREFIXES).filter((p) => p !== PIPELINE_PREFIXES.images), 'interactions/'];

export async function runLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipelineResult> {
  const started = performance.now();
  const say = options.onProgress ?? (() => undefined);
  const seed = options.seed ?? 42;
  const layout = new LocalStateLayout(options.stateDir);
  const data = new FolderObjectStore({ root: options.dataDir });
  const store = new RoutedObjectStore({ base: data, routed: new FolderObjectStore({ root: resolve(layout.root, 'bucket') }), routedPrefixes: WORK_PREFIXES });
  const index = new LocalVectorIndex({ root: layout.indexRoot });
  const guard = new LockFileExecutionGuard({ path: resolve(layout.root, 'pipeline.lock') });
  const { definition: synthesized, settings } = synthesizeLocalDefinition({
    ...(options.k !== undefined && { k: options.k }),
    ...(options.embedBatchSize !== undefined && { embedBatchSize: options.embedBatchSize }),
    ...(options.maxConcurrency !== undefined && { maxConcurrency: options.maxConcurrency }),
    manifestKey: 'manifest.jsonl',
    interactionsKey: STAGED_INTERACTIONS_KEY,
  });
  const { definition, distributedMaps } = prepareForLocalRun(options.transformDefinition ? options.transformDefinition(synthesized) : synthesized);

  const startTime = new Date();
  const executionName = `local-${startTime.toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
  const executionId = `arn:aws:states:local:000000000000:execution:retraining:${executionName}`;
  const timings: StepTiming[] = [];
  const timed = (timing: StepTiming): void => {
    timings.push(timing);
    options.onStep?.(timing);
  };
  const emit = (event: RunEvent): void => options.onEvent?.(event);
  const run = {
    generation: undefined as string | undefined,
    embedder: undefined as LocalEmbedder | undefined,
    batches: [] as BatchReport[],
    interactionsImported: 0,
    interactionsRewritten: 0,
    trainedThrough: 0,
    rankerVersion: '',
    info: undefined as GenerationInfo | undefined,
    quality: undefined as QualityVerdict | undefined,
    /** Items done so far per Map state. */
    mapItems: new Map<string, { succeeded: number; failed: number }>(),
  };
  const requireGeneration = (): string => {
    if (run.generation === undefined) throw new ValidationError('no generation yet: "Check no other run" names it', { field: 'generation' });
    return run.generation;
  };

  const deps = {
    store,
    index,
    guard,
    publisher: new LocalGenerationPublisher({ stateDir: layout.root }),
    get embedder(): LocalEmbedder {
      if (!run.embedder) throw new ValidationError('the local embedder is not trained yet', { field: 'embedder' });
      return run.embedder;
    },
    layout,
    sagemaker: createLocalSageMaker({
      store,
      clusterer: new KMeansClusterer(),
      seed,
      previousModel: () => servingClusterModel(index, layout),
      onTrained: (model: ClusterModel) => writeFileAtomic(layout.clusterModel(requireGeneration()), serializeClusterModel(model)),
    }),
    personalize: createLocalPersonalize({
      store,
      seed,
      stateFile: resolve(layout.root, PERSONALIZE_STATE_FILE),
      generation: () => run.generation,
      onTrained: async (model, rows) => {
        run.interactionsImported = rows;
        run.trainedThrough = model.referenceTimestamp;
        run.rankerVersion = model.version;
        await saveRankerModel(model, layout.rankerModel(requireGeneration()));
      },
    }),
    onGeneration: (generation: string) => {
      run.generation = generation;
    },
    onQualityChecked: (verdict: QualityVerdict) => {
      run.quality = verdict;
    },
    // Everything serving loads is in place before "Publish generation" can point the alias at it.
    onIndexed: async ({ generation, indexed }: { generation: string; indexed: number }) => {
      const embedder = deps.embedder;
      await embedder.save(layout.embedderModel(generation));
      await writeLinesAtomic(layout.assignments(generation), store.readLines(`${PIPELINE_PREFIXES.assignments}${generation}.jsonl`));
      const skipped = run.batches.flatMap((b) => (b.output as { skipped?: SkippedImage[] } | undefined)?.skipped ?? []);
      run.info = {
        generation,
        clusterGeneration: generation,
        clusterCount: settings.k,
        dimension: embedder.dimension,
        images: indexed,
        skippedImages: skipped,
        dataDir: resolve(options.dataDir),
        trainedThrough: run.trainedThrough,
        models: { embedder: embedder.modelVersion, ranker: run.rankerVersion },
        ...(run.quality && { quality: run.quality.candidate }),
        createdAt: new Date().toISOString(),
      };
      await writeFileAtomic(layout.generationInfo(generation), `${JSON.stringify(run.info, null, 2)}\n`);
    },
  };

  const lambdas = lambdaHandlers(deps);
  const handlers: Record<string, LocalHandler> = {};
  const mapChildHandlers: Record<string, LocalHandler> = {};
  const unhandled: string[] = [];
  const inject = (name: string, handler: LocalHandler): LocalHandler =>
    options.failAt === name
      ? ((async () => {
          throw new InjectedFailureError(`injected failure at "${name}" (PIPELINE_FAIL_AT)`);
        }) as LocalHandler)
      : handler;
  const resolveHandler = (name: string, state: Record<string, unknown>): LocalHandler | undefined => {
    const resource = String(state.Resource);
    if (resource === LOCAL_MAP_RESOURCE) return undefined;
    return lambdas[name] && !resource.startsWith('arn:aws:states:::') ? lambdas[name] : serviceHandler(resource, deps, PIPELINE_EVENT_LOG(layout.root));
  };
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const map = distributedMaps.get(name);
    if (map) {
      const processor = map.ItemProcessor as { States: Record<string, Record<string, unknown>> };
      for (const childName of taskStateNames(processor)) {
        const child = findState(processor.States, childName);
        const handler = child && resolveHandler(childName, child);
        if (handler) mapChildHandlers[childName] = inject(childName, handler);
        else unhandled.push(`${childName} (in ${name})`);
      }
      handlers[name] = inject(name, makeLocalMapStep({
        name, state: map, store, handlers: mapChildHandlers, executionName,
        onBatch: (report) => {
          run.batches.push(report);
          say(batchLine(report));
          const done = run.mapItems.get(report.map) ?? { succeeded: 0, failed: 0 };
          if (report.error) done.failed += report.items;
          else done.succeeded += report.items;
          run.mapItems.set(report.map, done);
          emit({ kind: 'map-progress', state: report.map, at: new Date(), ...done, total: report.totalItems });
        },
      }) as LocalHandler);
      continue;
    }
    const handler = resolveHandler(name, state);
    if (handler) handlers[name] = inject(name, handler);
    else unhandled.push(`${name} (${String(state.Resource)})`);
  }
  if (unhandled.length > 0) {
    throw new ValidationError(`the definition has Task states with no local handler: ${unhandled.join(', ')}; the run did not start`, { field: 'definition' });
  }

  // Refuse a concurrent run before spending a minute on training; the guard state claims again with the same id.
  await guard.claim({ runId: executionId, startedAt: startTime });
  options.onStarted?.({ executionId, startedAt: startTime });
  let failure: RunSummary['failure'];
  let status: RunSummary['status'] = 'FAILED';
  /** Ends every run that claimed the lock: the history record, then the `finished` event. */
  const finish = async (): Promise<void> => {
    const execution: ExecutionSummary = {
      id: executionId,
      name: executionName,
      status,
      startedAt: startTime,
      stoppedAt: new Date(),
      ...(run.generation !== undefined && { generation: run.generation }),
      ...(run.quality && { quality: run.quality }),
      ...(failure && { failure }),
    };
    await appendRunRecord(layout.root, execution);
    emit({ kind: 'finished', at: execution.stoppedAt as Date, execution });
  };
  /** A step of the runner itself, before the execution: reported like a state. */
  const localStep = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    say(enteredLine(name));
    emit({ kind: 'entered', state: name, at: new Date() });
    const stepStart = performance.now();
    try {
      const result = await body();
      const seconds = (performance.now() - stepStart) / 1000;
      timed({ step: name, seconds });
      say(leftLine(name, seconds));
      emit({ kind: 'exited', state: name, at: new Date(), seconds });
      return result;
    } catch (error) {
      const seconds = (performance.now() - stepStart) / 1000;
      const { Error: errorName, Cause: cause } = errorInfo(error);
      failure = { state: name, error: errorName, cause };
      say(leftLine(name, seconds, { error: errorName, cause }));
      emit({ kind: 'failed', state: name, at: new Date(), seconds, error: errorName, cause });
      throw error;
    }
  };
  const execute = async (): Promise<LocalPipelineResult> => {
    await localStep('Train local embedder', async () => {
      const manifest = await readManifest(data.readLines('manifest.jsonl'));
      const items = await Promise.all(manifest.map(async (entry) => ({ id: entry.imageId, caption: entry.caption, bytes: await data.getBytes(entry.key) })));
      run.embedder = await trainLocalEmbedder({ items, seed, ...(options.embedderEpochs !== undefined && { epochs: options.embedderEpochs }) });
    });
    await localStep('Stage interactions', () => stageInteractions(data, store, layout));

    const machine = new StateMachine(definition as unknown as StateMachineDefinition, { validationOptions: { checkArn: false, checkPaths: false } });
    const waits = Object.fromEntries(Object.entries(definition.States).filter(([, s]) => s.Type === 'Wait').map(([name]) => [name, 0]));
    const input = { ...(options.generation && { generation: options.generation }), ...(options.qualityTolerance !== undefined && { qualityTolerance: options.qualityTolerance }) };
    const execution = machine.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, waitTimeOverrides: waits, retryIntervalOverrides: zeroRetries(definition as never) },
      context: { Execution: { Id: executionId, Name: executionName, StartTime: startTime.toISOString(), Input: {} } },
    });
    const follower = new RunFollower({ say, timed, emit, isFailState: (name) => definition.States[name]?.Type === 'Fail' });
    const follow = follower.follow(execution.eventLogs);
    // Awaited below; this only keeps an early throw of the execution from leaving it an unhandled rejection.
    follow.catch(() => undefined);
    let executionError: { Error: string; Cause: string } | undefined;
    try {
      await execution.result;
      status = 'SUCCEEDED';
    } catch (error) {
      if (!(error instanceof ExecutionError)) throw error;
      executionError = errorInfo(error);
    }
    await follow;
    if (executionError) failure = follower.failure(executionError);
    const rewritten = (follower.outputs.get('Rewrite interactions') as { interactions?: { rowsWritten?: number } } | undefined)?.interactions?.rowsWritten;
    if (typeof rewritten === 'number') run.interactionsRewritten = rewritten;
    const summary: LocalPipelineResult = {
      status,
      executionId,
      generation: run.generation,
      statesVisited: follower.visited,
      imagesEmbedded: run.batches.reduce((n, b) => n + ((b.output as { embedded?: number } | undefined)?.embedded ?? 0), 0),
      imagesSkipped: run.batches.reduce((n, b) => n + ((b.output as { skipped?: unknown[] } | undefined)?.skipped?.length ?? 0), 0),
      k: settings.k,
      interactionsImported: run.interactionsImported,
      interactionsRewritten: run.interactionsRewritten,
      timings,
      totalSeconds: (performance.now() - started) / 1000,
      ...(failure && { failure }),
      ...(run.quality && { quality: run.quality }),
      ...(status === 'SUCCEEDED' && run.info && { info: run.info }),
    };
    for (const line of summaryLines(summary)) say(line);
    return summary;
  };
  try {
    let summary: LocalPipelineResult;
    try {
      summary = await execute();
    } catch (error) {
      // The runner itself broke (not a state of the execution): still a run in the history, then the error as before.
      if (!failure) {
        const info = errorInfo(error);
        failure = { state: '(runner)', error: info.Error, cause: info.Cause };
      }
      status = 'FAILED';
      await finish();
      throw error;
    }
    await finish();
    return summary;
  } finally {
    await guard.release(executionId);
  }
}

function findState(states: Record<string, Record<string, unknown>>, name: string): Record<string, unknown> | undefined {
  if (states[name]) return states[name];
  for (const state of Object.values(states)) {
    const nested = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Record<string, unknown>> } | undefined;
    const found = nested?.States && findState(nested.States, name);
    if (found) return found;
  }
  return undefined;
}

async function servingClusterModel(index: LocalVectorIndex, layout: LocalStateLayout): Promise<ClusterModel | undefined> {
  const current = await index.resolveAlias(SERVING_ALIAS);
  if (current === undefined) return undefined;
  return parseClusterModel(await readFile(layout.clusterModel(current), 'utf8'));
}

/** The library's interactions plus the events serving recorded since (image-level), as one CSV for the run. */
async function stageInteractions(data: FolderObjectStore, store: RoutedObjectStore, layout: LocalStateLayout): Promise<void> {
  const { events } = await readEventLog(layout.eventLog);
  async function* lines(): AsyncGenerator<string> {
    yield* data.readLines('interactions.csv');
    for (const e of events) yield `${e.userId},${e.itemId},${Math.floor(e.sentAt.getTime() / 1000)},${e.eventType}`;
  }
  await store.writeLines(STAGED_INTERACTIONS_KEY, lines());
}
