/**
 * Pipeline step "Publish generation": points the alias at the new generation and publishes what serving reads
 * (SSM parameters on AWS) in one step. If publishing fails after the swap, the alias goes back to the previous
 * generation, so serving never sees the new index with the old parameters for longer than the step takes.
 */
import { AppError, ValidationError } from '../core/errors';
import type { GenerationPublisher } from '../core/ports/generation-publisher';
import type { VectorIndex } from '../core/ports/vector-index';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface PublishGenerationEvent extends StepContext {
  readonly generation: string;
  readonly clusterGeneration: string;
  readonly clusterCount: number;
  readonly campaignArn: string;
  readonly trackingId: string;
  readonly alias: string;
}

export interface PublishGenerationResult {
  readonly generation: string;
  /** The generation the alias pointed at before, or null on the first run. */
  readonly previous: string | null;
}

export function makePublishGenerationHandler(deps: { readonly index: VectorIndex; readonly publisher: GenerationPublisher }): (event: PublishGenerationEvent) => Promise<PublishGenerationResult> {
  return async (event) => {
    const published = {
      generation: requireString(event, 'generation'),
      clusterGeneration: requireString(event, 'clusterGeneration'),
      clusterCount: requireInteger(event, 'clusterCount', 1),
      campaignArn: requireString(event, 'campaignArn'),
      trackingId: requireString(event, 'trackingId'),
      alias: requireString(event, 'alias'),
    };
    const target = (await deps.index.listGenerations()).find((info) => info.generation === published.generation);
    if (!target?.complete) {
      throw new ValidationError(`generation ${published.generation} is ${target ? 'not finalized' : 'missing'}: run "Index images" first`, { field: 'generation' });
    }
    const { previous } = await deps.index.swapAlias(published.alias, published.generation);
    try {
      await deps.publisher.publish(published);
    } catch (error) {
      if (previous !== undefined && previous !== published.generation) await deps.index.swapAlias(published.alias, previous);
      throw new AppError(
        `publishing ${published.generation} failed, alias ${published.alias} ${previous ? `is back on ${previous}` : 'was left on the new generation (there was none before)'}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return { generation: published.generation, previous: previous ?? null };
  };
}
