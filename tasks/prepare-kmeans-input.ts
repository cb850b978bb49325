/**
 * Pipeline step "Prepare K-Means input": concatenates the run's embeddings into the K-Means `train` channel (CSV, no
 * header, no label) and an ids file with one image id per CSV row, in the same order, so the batch transform's
 * output lines can be matched back to images by position.
 */
import { ValidationError } from '../core/errors';
import { kmeansCsvRow } from '../core/kmeans-csv';
import type { ObjectStore } from '../core/ports/object-store';
import { readEmbeddings } from './embeddings-files';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface PrepareKmeansInputEvent extends StepContext {
  readonly embeddingsPrefix: string;
  readonly trainKey: string;
  readonly idsKey: string;
  readonly k: number;
  readonly dimension: number;
}

export interface PrepareKmeansInputResult {
  readonly images: number;
  readonly trainKey: string;
  readonly idsKey: string;
  /** A string, as SageMaker hyperparameters are: min(5000, images), since a batch larger than the data fails. */
  readonly miniBatchSize: string;
}

// The built-in K-Means default mini_batch_size.
const DEFAULT_MINI_BATCH = 5000;

export function makePrepareKmeansInputHandler(deps: { readonly store: ObjectStore }): (event: PrepareKmeansInputEvent) => Promise<PrepareKmeansInputResult> {
  return async (event) => {
    const prefix = requireString(event, 'embeddingsPrefix');
    const trainKey = requireString(event, 'trainKey');
    const idsKey = requireString(event, 'idsKey');
    const k = requireInteger(event, 'k', 2);
    const dimension = requireInteger(event, 'dimension', 1);
    const ids: string[] = [];
    const seen = new Set<string>();
    async function* rows(): AsyncGenerator<string> {
      for await (const line of readEmbeddings(deps.store, prefix, dimension)) {
        if (seen.has(line.imageId)) throw new ValidationError(`image ${line.imageId} was embedded twice under ${prefix}`, { field: 'embeddings' });
        seen.add(line.imageId);
        ids.push(line.imageId);
        yield kmeansCsvRow(line.vector);
      }
      // Checked before the stream ends, so a too-small run writes no training file.
      if (ids.length < k) {
        throw new ValidationError(`only ${ids.length} images were embedded, fewer than k = ${k} clusters: add images or lower k`, { field: 'k' });
      }
    }
    await deps.store.writeLines(trainKey, rows());
    await deps.store.writeLines(idsKey, ids);
    return { images: ids.length, trainKey, idsKey, miniBatchSize: String(Math.min(DEFAULT_MINI_BATCH, ids.length)) };
  };
}
