/**
 * One local generation built by the pipeline: the synthesized retraining state machine run locally (local-runner.ts),
 * returning what serving loads or throwing when the run fails. What `npm start`, the evaluation, the benchmarks and
 * the serving test fixtures call, so there is one pipeline.
 */
import { AppError } from '../core/errors';
import type { GenerationInfo } from '../core/local/local-generation';
import { runLocalPipeline } from './local-runner';
import type { LocalPipelineOptions } from './local-runner';

export type BuildOptions = Omit<LocalPipelineOptions, 'onStep' | 'transformDefinition'> & {
  /** Each finished step: its name and duration. */
  readonly onStep?: (step: string, detail: string) => void;
};

/** The run failed; the previous generation (if any) keeps serving. */
export class PipelineRunError extends AppError {}

export async function buildLocalGeneration(options: BuildOptions): Promise<GenerationInfo> {
  const { onStep, ...rest } = options;
  const result = await runLocalPipeline({
    ...rest,
    ...(onStep && { onStep: (timing: { step: string; seconds: number }) => onStep(timing.step, `${timing.seconds.toFixed(2)} s`) }),
  });
  if (result.status !== 'SUCCEEDED' || result.info === undefined) {
    const failure = result.failure;
    throw new PipelineRunError(
      `pipeline run ${result.executionId} failed${failure ? ` at "${failure.state}": ${failure.error}: ${failure.cause}` : ''}; the previous generation keeps serving`,
    );
  }
  return result.info;
}
