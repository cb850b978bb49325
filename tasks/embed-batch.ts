/**
 * Distributed Map child "Embed batch": reads one batch of manifest items' images, embeds them, and writes
 * `<embeddingsPrefix><batch>.jsonl` ({imageId, vector} a line). An image that cannot be read or embedded is reported
 * and skipped; a batch where nothing could be embedded fails, so it counts against the Map's tolerated failures.
 */
import { createHash } from 'node:crypto';
import { AppError, DimensionMismatchError, ValidationError } from '../core/errors';
import { parseManifestLine } from '../core/image-manifest';
import type { ManifestEntry } from '../core/image-manifest';
import type { Embedder, ImageInput, SkippedImage } from '../core/ports/embedder';
import type { ObjectStore } from '../core/ports/object-store';
import type { StepContext } from './task-input';
import { requireInteger, requireString } from './task-input';

export interface EmbedBatchEvent extends StepContext {
  readonly generation: string;
  readonly embeddingsPrefix: string;
  readonly dimension: number;
  /** Manifest lines as parsed JSON (the Distributed Map's `Items`). */
  readonly items: readonly unknown[];
}

export interface EmbedBatchResult {
  readonly batchKey: string;
  readonly embedded: number;
  readonly skipped: SkippedImage[];
}

/** One line of an embeddings file. */
export interface EmbeddingLine {
  readonly imageId: string;
  readonly vector: number[];
}

/** The same items always give the same key, so a retried batch overwrites its own file instead of adding one. */
export function batchId(imageIds: readonly string[]): string {
  return createHash('sha256').update(imageIds.join('\n')).digest('hex').slice(0, 20);
}

export function makeEmbedBatchHandler(deps: { readonly embedder: Embedder; readonly store: ObjectStore }): (event: EmbedBatchEvent) => Promise<EmbedBatchResult> {
  return async (event) => {
    requireString(event, 'generation');
    const prefix = requireString(event, 'embeddingsPrefix');
    const dimension = requireInteger(event, 'dimension', 1);
    if (deps.embedder.dimension !== dimension) throw new DimensionMismatchError(dimension, deps.embedder.dimension, 'the embedder');
    if (!Array.isArray(event.items) || event.items.length === 0) throw new ValidationError('items must be a non-empty array of manifest entries', { field: 'items' });
    const entries: ManifestEntry[] = event.items.map((item, i) => parseManifestLine(JSON.stringify(item), i + 1));

    const skipped: SkippedImage[] = [];
    const inputs: ImageInput[] = [];
    await Promise.all(entries.map(async (entry) => {
      try {
        inputs.push({ id: entry.imageId, bytes: await deps.store.getBytes(entry.key) });
      } catch (error) {
        skipped.push({ id: entry.imageId, reason: `cannot read ${entry.key}: ${(error as Error).message}` });
      }
    }));
    // Keep manifest order regardless of which read finished first.
    const order = new Map(entries.map((entry, i) => [entry.imageId, i]));
    inputs.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));

    const result = inputs.length > 0 ? await deps.embedder.embedImages(inputs) : { embedded: [], skipped: [] };
    skipped.push(...result.skipped);
    skipped.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
    if (result.embedded.length === 0) {
      throw new AppError(`no image of this batch could be embedded: ${skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}`);
    }
    const lines = result.embedded.map((image) => {
      if (image.vector.length !== dimension) throw new DimensionMismatchError(dimension, image.vector.length, `embedding of ${image.id}`);
      const line: EmbeddingLine = { imageId: image.id, vector: Array.from(image.vector) };
      return JSON.stringify(line);
    });
    const batchKey = `${prefix}${batchId(entries.map((entry) => entry.imageId))}.jsonl`;
    await deps.store.writeLines(batchKey, lines);
    return { batchKey, embedded: lines.length, skipped };
  };
}
