/**
 * A local handler for every Task of the retraining definition: Lambda states call the same `tasks/` handlers wired to
 * local adapters, SageMaker and Personalize states go to their local counterparts, EventBridge events go to a log.
 * Keyed by state name, as aws-local-stepfunctions keys its overrides.
 */
import { appendFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../core/errors';
import type { ExecutionGuard } from '../core/ports/execution-guard';
import type { GenerationPublisher } from '../core/ports/generation-publisher';
import type { ObjectStore } from '../core/ports/object-store';
import type { VectorIndex } from '../core/ports/vector-index';
import type { Embedder } from '../core/ports/embedder';
import type { LocalStateLayout } from '../core/local/local-state';
import type { QualityVerdict } from '../core/quality-gate';
import { checkModelQuality } from '../tasks/check-model-quality';
import { makeCleanupGenerationsHandler } from '../tasks/cleanup-generations';
import { makeEmbedBatchHandler } from '../tasks/embed-batch';
import { makeGuardHandler } from '../tasks/guard';
import { makeIndexImagesHandler } from '../tasks/index-images';
import { makePrepareKmeansInputHandler } from '../tasks/prepare-kmeans-input';
import { makePublishGenerationHandler } from '../tasks/publish-generation';
import { rewriteInteractionsTask } from '../tasks/rewrite-interactions';
import { makeWriteAssignmentsHandler } from '../tasks/write-assignments';
import type { LocalSageMaker } from './local-sagemaker';

export type LocalHandler = (input: never) => Promise<unknown>;
type Json = Record<string, unknown>;

/** Thrown by a state named in PIPELINE_FAIL_AT (or the runner's `failAt`), to exercise the failure path. */
export class InjectedFailureError extends AppError {}

export interface LocalHandlerDeps {
  readonly store: ObjectStore;
  readonly index: VectorIndex;
  readonly guard: ExecutionGuard;
  readonly publisher: GenerationPublisher;
  readonly embedder: Embedder;
  readonly layout: LocalStateLayout;
  readonly sagemaker: LocalSageMaker;
  readonly personalize: Record<string, (params: Json) => Promise<Json>>;
  /** Called after "Index images" succeeds, before the definition moves on to publishing. */
  readonly onIndexed: (result: { generation: string; indexed: number }) => Promise<void>;
  readonly onGeneration: (generation: string) => void;
  /** The quality gate's verdict, as "Check model quality" returns it. */
  readonly onQualityChecked?: (verdict: QualityVerdict) => void;
}

/** The Lambda steps by state name (RetrainingStateMachine names them; `step` in each payload repeats it). */
export function lambdaHandlers(deps: LocalHandlerDeps): Record<string, LocalHandler> {
  // The embedder is trained after the handlers are built (once the run has claimed the guard): resolve it per call.
  const embedder: Embedder = {
    get dimension() {
      return deps.embedder.dimension;
    },
    get modelVersion() {
      return deps.embedder.modelVersion;
    },
    embedImages: (images) => deps.embedder.embedImages(images),
    embedText: (texts) => deps.embedder.embedText(texts),
  };
  const guard = makeGuardHandler({ guard: deps.guard });
  const index = makeIndexImagesHandler({ index: deps.index, store: deps.store });
  const cleanup = makeCleanupGenerationsHandler({ index: deps.index });
  return {
    'Check no other run': async (event: Json) => {
      const result = await guard(event as never);
      deps.onGeneration(result.generation);
      return result;
    },
    'Embed batch': embedding(makeEmbedBatchHandler({ embedder, store: deps.store }), embedder),
    'Prepare K-Means input': embedding(makePrepareKmeansInputHandler({ store: deps.store }), embedder),
    'Write cluster assignments': makeWriteAssignmentsHandler({ store: deps.store }) as LocalHandler,
    'Rewrite interactions': async (event: Json) => rewriteInteractionsTask(event as never, { store: deps.store }),
    'Index images': async (event: Json) => {
      const result = (await embedding(index, embedder)(event as never)) as { generation: string; indexed: number };
      await deps.onIndexed(result);
      return result;
    },
    'Check model quality': async (event: Json) => {
      const result = await checkModelQuality(event as never);
      deps.onQualityChecked?.(result.verdict);
      return result;
    },
    'Publish generation': makePublishGenerationHandler({ index: deps.index, publisher: deps.publisher }) as LocalHandler,
    'Clean up generations': async (event: Json) => {
      const result = await cleanup(event as never);
      // The index generations are gone; their model files go with them.
      await Promise.all(result.deleted.map((generation) => rm(deps.layout.generationDir(generation), { recursive: true, force: true })));
      return result;
    },
  };
}

/**
 * The definition carries Titan's output length (256, 384 or 1024) as `dimension`; locally the vectors are the local
 * embedder's, so that one field is the local embedder's dimension. Everything else in the payload is the definition's.
 */
function embedding<E, R>(handler: (event: E) => Promise<R>, embedder: Embedder): LocalHandler {
  return (async (event: Json) => handler({ ...event, dimension: embedder.dimension } as E)) as LocalHandler;
}

/** Handlers for the service integrations, by Resource. */
export function serviceHandler(resource: string, deps: LocalHandlerDeps, eventLog: string): LocalHandler | undefined {
  const sagemaker: Record<string, (params: Json) => Promise<Json>> = {
    'arn:aws:states:::sagemaker:createTrainingJob.sync': (p) => deps.sagemaker.createTrainingJob(p),
    'arn:aws:states:::sagemaker:createModel': (p) => deps.sagemaker.createModel(p),
    'arn:aws:states:::sagemaker:createTransformJob.sync': (p) => deps.sagemaker.createTransformJob(p),
  };
  if (resource in sagemaker) return sagemaker[resource] as LocalHandler;
  const sdk = /^arn:aws:states:::aws-sdk:personalize:(\w+)$/.exec(resource);
  if (sdk) return deps.personalize[sdk[1] as string] as LocalHandler | undefined;
  if (resource === 'arn:aws:states:::events:putEvents') {
    return (async (params: { Entries?: unknown[] }) => {
      const entries = params.Entries ?? [];
      await mkdir(dirname(eventLog), { recursive: true });
      await appendFile(eventLog, entries.map((entry) => `${JSON.stringify({ ...(entry as Json), time: new Date().toISOString() })}\n`).join(''));
      return { Entries: entries.map((_, i) => ({ EventId: `local-${Date.now()}-${i}` })), FailedEntryCount: 0 };
    }) as LocalHandler;
  }
  return undefined;
}

export const PIPELINE_EVENT_LOG = (stateDir: string): string => join(stateDir, 'pipeline-events.jsonl');
