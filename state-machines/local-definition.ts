/**
 * The definition the local runner executes: the real stack (infra/image-search-stack.ts) instantiated in an App with
 * bundling skipped, its retraining state machine rendered to ASL. Local settings (k, batch size, the keys of the local
 * data) go in as stack config, the same way `cdk synth -c pipeline.k=12` would, so they pass the synth-time checks.
 */
import { App } from 'aws-cdk-lib';
import { DEFAULT_STACK_CONFIG, validateStackConfig } from '../infra/config';
import { ImageSearchStack } from '../infra/image-search-stack';
import type { PipelineSettings } from './pipeline-settings';
import type { AslDefinition } from './render-definition';
import { renderRetrainingDefinition } from './render-definition';

export interface LocalDefinition {
  readonly definition: AslDefinition;
  readonly settings: PipelineSettings;
  /** The bucket name the definition's S3 URIs carry (a placeholder: locally the bucket is a folder). */
  readonly bucketName: string;
}

/** Synthesizes the stack's state machine with `overrides` over the default pipeline settings. */
export function synthesizeLocalDefinition(overrides: Partial<PipelineSettings> = {}): LocalDefinition {
  const config = validateStackConfig({ ...DEFAULT_STACK_CONFIG, pipeline: { ...DEFAULT_STACK_CONFIG.pipeline, ...overrides } });
  // Skipping bundling keeps esbuild out of a local run: the local handlers are the tasks/ functions themselves.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ImageSearchStack(app, config.stackName, { config });
  const definition = renderRetrainingDefinition(stack.retraining);
  return { definition, settings: config.pipeline, bucketName: bucketNameIn(definition) };
}

function bucketNameIn(definition: AslDefinition): string {
  const keys = definition.States['Plan run keys']?.Parameters as Record<string, string> | undefined;
  const uri = keys?.['kmeansTrainUri.$'] ?? '';
  const match = /s3:\/\/([^/]+)\//.exec(uri);
  return match?.[1] ?? '';
}

type State = Record<string, unknown>;
type States = Record<string, State>;

/** Resource of the Task that stands in for a Distributed Map: never called on AWS, only by its local handler. */
export const LOCAL_MAP_RESOURCE = 'local:distributed-map';
/**
 * Step Functions' own default task timeout is 99999999 s; aws-local-stepfunctions cuts tasks at 60 s, which a local
 * training step can exceed. Tasks without a TimeoutSeconds get the largest a Node timer holds (2^31-1 ms, ~24 days).
 */
const SERVICE_DEFAULT_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export interface PreparedDefinition {
  /** What aws-local-stepfunctions runs: the same states, each Distributed Map replaced by a Task of the same name. */
  readonly definition: AslDefinition;
  /** The original Distributed Map states by name (ItemReader, ItemBatcher, ItemProcessor, ...). */
  readonly distributedMaps: ReadonlyMap<string, State>;
}

/**
 * The library ignores a Distributed Map's ItemReader, ItemBatcher, ToleratedFailure* and ResultWriter, so each one
 * becomes a Task keeping its Catch, Retry, ResultPath and Next; its BatchInput template becomes the Task's
 * Parameters, so the library evaluates it against the state input exactly where the Map would.
 */
export function prepareForLocalRun(source: AslDefinition): PreparedDefinition {
  const definition = structuredClone(source) as AslDefinition & { States: States };
  const distributedMaps = new Map<string, State>();
  const visit = (states: States): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) {
        state.TimeoutSeconds = SERVICE_DEFAULT_TIMEOUT_SECONDS;
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as { States?: States; ProcessorConfig?: { Mode?: string } } | undefined;
      if (processor?.States) visit(processor.States);
      for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) visit(branch.States);
      if (state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED') {
        distributedMaps.set(name, structuredClone(state));
        const batcher = state.ItemBatcher as { BatchInput?: unknown } | undefined;
        const task: State = { Type: 'Task', Resource: LOCAL_MAP_RESOURCE, TimeoutSeconds: SERVICE_DEFAULT_TIMEOUT_SECONDS, Parameters: { BatchInput: batcher?.BatchInput ?? {} } };
        for (const field of ['Comment', 'InputPath', 'ResultSelector', 'ResultPath', 'OutputPath', 'Retry', 'Catch', 'Next', 'End']) {
          if (field in state) task[field] = state[field];
        }
        states[name] = task;
      }
    }
  };
  visit(definition.States);
  return { definition, distributedMaps };
}

/** Every Task state at any depth (Map processors, Parallel branches), by name. */
export function taskStateNames(definition: { readonly States: Record<string, Record<string, unknown>> }): string[] {
  const names: string[] = [];
  const visit = (states: Record<string, Record<string, unknown>>): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') names.push(name);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Record<string, unknown>> } | undefined;
      if (processor?.States) visit(processor.States);
      for (const branch of (state.Branches as { States: Record<string, Record<string, unknown>> }[] | undefined) ?? []) visit(branch.States);
    }
  };
  visit(definition.States);
  return names;
}
