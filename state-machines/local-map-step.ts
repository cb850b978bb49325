/**
 * A Distributed Map run locally: reads the items per its ItemReader (JSONL in the object store), batches them per
 * ItemBatcher, runs the ItemProcessor as its own state machine per batch with at most MaxConcurrency at once, fails
 * when more than ToleratedFailurePercentage of the items failed, and writes results where its ResultWriter would.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
import './local-polyfill';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { AppError, ValidationError } from '../core/errors';
import type { ObjectStore } from '../core/ports/object-store';

type Json = Record<string, unknown>;
type Handler = (input: never) => Promise<unknown>;

/** Step Functions' error name when a map run exceeds its tolerated failures. */
export class ToleratedFailureExceededError extends AppError {
  constructor(message: string) {
    super(message);
    this.name = 'States.ExceedToleratedFailureThreshold';
  }
}

export interface BatchReport {
  readonly map: string;
  readonly batch: number;
  readonly batches: number;
  readonly items: number;
  /** Items of the whole map run, over all batches. */
  readonly totalItems: number;
  readonly seconds: number;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
}

export interface LocalMapStepProps {
  readonly name: string;
  /** The original Map state. */
  readonly state: Json;
  readonly store: ObjectStore;
  /** Handlers of the ItemProcessor's Task states, by state name. */
  readonly handlers: Record<string, Handler>;
  readonly executionName: string;
  readonly onBatch?: (report: BatchReport) => void;
}

export interface MapRunOutput {
  readonly MapRunArn: string;
  readonly ResultWriterDetails: { readonly Bucket: string; readonly Key: string };
  /** Not part of the service's output shape; ResultPath null discards it there, the runner reads it for its summary. */
  readonly batches: readonly BatchReport[];
}

export function makeLocalMapStep(props: LocalMapStepProps): (input: { BatchInput?: unknown }) => Promise<MapRunOutput> {
  const { state, name } = props;
  const reader = state.ItemReader as { Resource?: string; ReaderConfig?: { InputType?: string }; Parameters?: { Key?: string } } | undefined;
  if (reader?.ReaderConfig?.InputType !== 'JSONL' || typeof reader.Parameters?.Key !== 'string') {
    throw new ValidationError(`map "${name}": only an ItemReader of JSONL from a fixed S3 key is supported locally`, { field: 'ItemReader' });
  }
  const itemsKey = reader.Parameters.Key;
  const perBatch = (state.ItemBatcher as { MaxItemsPerBatch?: number } | undefined)?.MaxItemsPerBatch ?? 1;
  const concurrency = typeof state.MaxConcurrency === 'number' && state.MaxConcurrency > 0 ? state.MaxConcurrency : 1000;
  const tolerated = typeof state.ToleratedFailurePercentage === 'number' ? state.ToleratedFailurePercentage : 0;
  const writer = state.ResultWriter as { Parameters?: { Bucket?: string; Prefix?: string } } | undefined;
  const processor = structuredClone(state.ItemProcessor) as Json;
  delete processor.ProcessorConfig;
  const machine = new StateMachine(processor as unknown as StateMachineDefinition, { validationOptions: { checkArn: false } });

  return async (input) => {
    const items: unknown[] = [];
    let lineNumber = 0;
    for await (const line of props.store.readLines(itemsKey)) {
      lineNumber++;
      if (line.trim() === '') continue;
      try {
        items.push(JSON.parse(line));
      } catch {
        throw new ValidationError(`map "${name}": ${itemsKey} line ${lineNumber} is not JSON`, { field: 'ItemReader' });
      }
    }
    const batches: unknown[][] = [];
    for (let i = 0; i < items.length; i += perBatch) batches.push(items.slice(i, i + perBatch));
    const reports: BatchReport[] = new Array<BatchReport>(batches.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const b = next++;
        const batch = batches[b] as unknown[];
        const started = performance.now();
        const execution = machine.run({ BatchInput: input.BatchInput ?? {}, Items: batch } as never, {
          overrides: { taskResourceLocalHandlers: props.handlers as never, retryIntervalOverrides: zeroRetries(processor) },
          context: { Execution: { Id: `${props.executionName}:${name}:${b}`, Name: `${props.executionName}-${b}` } },
        });
        let report: BatchReport;
        try {
          const output = await execution.result;
          report = { map: name, batch: b + 1, batches: batches.length, items: batch.length, totalItems: items.length, seconds: (performance.now() - started) / 1000, output };
        } catch (error) {
          report = { map: name, batch: b + 1, batches: batches.length, items: batch.length, totalItems: items.length, seconds: (performance.now() - started) / 1000, error: errorInfo(error) };
        }
        reports[b] = report;
        props.onBatch?.(report);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));

    const failedItems = reports.filter((r) => r.error).reduce((n, r) => n + r.items, 0);
    const prefix = `${writer?.Parameters?.Prefix ?? 'map-results'}/${props.executionName}`;
    const succeeded = reports.filter((r) => !r.error).map((r) => ({ Status: 'SUCCEEDED', Input: `batch ${r.batch}`, Output: JSON.stringify(r.output) }));
    const failed = reports.filter((r) => r.error).map((r) => ({ Status: 'FAILED', Input: `batch ${r.batch}`, Error: r.error?.Error, Cause: r.error?.Cause }));
    await props.store.putBytes(`${prefix}/SUCCEEDED_0.json`, JSON.stringify(succeeded));
    await props.store.putBytes(`${prefix}/FAILED_0.json`, JSON.stringify(failed));
    await props.store.putBytes(`${prefix}/manifest.json`, JSON.stringify({ DestinationBucket: writer?.Parameters?.Bucket, MapRunArn: `local:${props.executionName}:${name}`, ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/SUCCEEDED_0.json`, Size: succeeded.length }], FAILED: [{ Key: `${prefix}/FAILED_0.json`, Size: failed.length }] } }));
    if (items.length === 0 || (failedItems / items.length) * 100 > tolerated) {
      const first = reports.find((r) => r.error)?.error;
      throw new ToleratedFailureExceededError(
        items.length === 0
          ? `map "${name}" read no items from ${itemsKey}`
          : `map "${name}": ${failedItems} of ${items.length} items failed (${((failedItems / items.length) * 100).toFixed(1)}% > tolerated ${tolerated}%); first: ${first?.Error}: ${first?.Cause}`,
      );
    }
    return { MapRunArn: `local:${props.executionName}:${name}`, ResultWriterDetails: { Bucket: writer?.Parameters?.Bucket ?? '', Key: `${prefix}/manifest.json` }, batches: reports };
  };
}

export function errorInfo(error: unknown): { Error: string; Cause: string } {
  // ExecutionError wraps the state's error as `cause`.
  const inner = (error as { cause?: unknown }).cause ?? error;
  const e = inner as { name?: string; message?: string };
  return { Error: e.name ?? 'Error', Cause: e.message ?? String(inner) };
}

/** Retries happen at once locally: the intervals are for AWS throttling, which a local handler never returns. */
export function zeroRetries(definition: Json): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, state] of Object.entries((definition.States ?? {}) as Record<string, Json>)) if (state.Retry) out[name] = 0;
  return out;
}
