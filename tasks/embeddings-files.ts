/** Reads the embeddings files the "Embed batch" steps wrote, in key order, checking every line. */
import { DimensionMismatchError, ValidationError } from '../core/errors';
import type { ObjectStore } from '../core/ports/object-store';
import type { EmbeddingLine } from './embed-batch';

export async function* readEmbeddings(store: ObjectStore, prefix: string, dimension: number): AsyncGenerator<EmbeddingLine> {
  const keys = (await store.list(prefix)).filter((key) => key.endsWith('.jsonl'));
  if (keys.length === 0) throw new ValidationError(`no embeddings under ${prefix}: did the "Embed images" map run?`, { field: 'embeddingsPrefix' });
  for (const key of keys) {
    let lineNumber = 0;
    for await (const text of store.readLines(key)) {
      lineNumber++;
      if (text.trim() === '') continue;
      const where = `${key} line ${lineNumber}`;
      let value: Partial<EmbeddingLine>;
      try {
        value = JSON.parse(text) as Partial<EmbeddingLine>;
      } catch {
        throw new ValidationError(`${where} is not JSON`, { field: 'embeddings' });
      }
      if (typeof value.imageId !== 'string' || !Array.isArray(value.vector)) {
        throw new ValidationError(`${where}: expected {"imageId": "...", "vector": [...]}`, { field: 'embeddings' });
      }
      if (value.vector.length !== dimension) throw new DimensionMismatchError(dimension, value.vector.length, `${where} vector`);
      yield { imageId: value.imageId, vector: value.vector };
    }
  }
}
