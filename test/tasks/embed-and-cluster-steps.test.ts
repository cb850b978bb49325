import { describe, expect, it } from 'vitest';
import { DimensionMismatchError } from '../../core/errors';
import { kmeansCsvRow, parseKmeansAssignment } from '../../core/kmeans-csv';
import { batchId, makeEmbedBatchHandler } from '../../tasks/embed-batch';
import { makePrepareKmeansInputHandler } from '../../tasks/prepare-kmeans-input';
import { makeWriteAssignmentsHandler } from '../../tasks/write-assignments';
import { MemoryObjectStore } from '../fixtures/memory-object-store';
import { ByteEmbedder } from './pipeline-fakes';

const item = (id: string) => ({ imageId: id, key: `images/${id}.png`, caption: `a ${id}`, subject: 'cat', style: 'ink' });

async function storeWithImages(ids: string[], bad: string[] = []): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  for (const id of ids) await store.putBytes(`images/${id}.png`, bad.includes(id) ? 'BAD bytes' : `png bytes of ${id}`);
  return store;
}

const embedEvent = (items: unknown[]) => ({ generation: 'gen-1', embeddingsPrefix: 'embeddings/gen-1/', dimension: 4, items, executionId: 'x', step: 'Embed batch' });

describe('embed batch', () => {
  it('writes one embeddings file per batch and reports unreadable and undecodable images as skipped', async () => {
    const store = await storeWithImages(['a', 'b', 'c'], ['c']);
    const handler = makeEmbedBatchHandler({ embedder: new ByteEmbedder(4), store });
    const result = await handler(embedEvent([item('a'), item('missing'), item('b'), item('c')]));
    expect(result.embedded).toBe(2);
    expect(result.skipped.map((s) => s.id)).toEqual(['missing', 'c']);
    expect(result.skipped[0]?.reason).toMatch(/cannot read images\/missing.png/);
    expect(result.batchKey).toBe(`embeddings/gen-1/${batchId(['a', 'missing', 'b', 'c'])}.jsonl`);
    const lines = (await store.getText(result.batchKey)).trimEnd().split('\n').map((l) => JSON.parse(l) as { imageId: string; vector: number[] });
    expect(lines.map((l) => l.imageId)).toEqual(['a', 'b']);
    expect(lines[0]?.vector).toHaveLength(4);
  });

  it('writes the same key when a batch is retried, so a retry does not duplicate images', async () => {
    const store = await storeWithImages(['a', 'b']);
    const handler = makeEmbedBatchHandler({ embedder: new ByteEmbedder(4), store });
    const first = await handler(embedEvent([item('a'), item('b')]));
    const second = await handler(embedEvent([item('a'), item('b')]));
    expect(second.batchKey).toBe(first.batchKey);
    expect(await store.list('embeddings/')).toEqual([first.batchKey]);
  });

  it('fails the batch when no image could be embedded, naming each', async () => {
    const store = await storeWithImages(['a'], ['a']);
    const handler = makeEmbedBatchHandler({ embedder: new ByteEmbedder(4), store });
    await expect(handler(embedEvent([item('a'), item('gone')]))).rejects.toThrow(/no image of this batch could be embedded: a \(cannot decode image\); gone/);
    expect(await store.list('embeddings/')).toEqual([]);
  });

  it('refuses an embedder whose dimension differs from the configured one', async () => {
    const handler = makeEmbedBatchHandler({ embedder: new ByteEmbedder(8), store: await storeWithImages(['a']) });
    await expect(handler(embedEvent([item('a')]))).rejects.toBeInstanceOf(DimensionMismatchError);
  });

  it('rejects a malformed manifest item with its position', async () => {
    const handler = makeEmbedBatchHandler({ embedder: new ByteEmbedder(4), store: await storeWithImages(['a']) });
    await expect(handler(embedEvent([item('a'), { imageId: 'b' }]))).rejects.toThrow(/manifest line 2 has no "key"/);
  });
});

async function embeddedStore(count: number, dimension = 3): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  const line = (i: number) => JSON.stringify({ imageId: `img-${i}`, vector: Array.from({ length: dimension }, (_, d) => (i + d) / 10) });
  const half = Math.ceil(count / 2);
  await store.writeLines('embeddings/gen-1/b.jsonl', Array.from({ length: count - half }, (_, i) => line(half + i)));
  await store.writeLines('embeddings/gen-1/a.jsonl', Array.from({ length: half }, (_, i) => line(i)));
  await store.putBytes('embeddings/gen-1/not-embeddings.txt', 'ignored');
  return store;
}

const prepareEvent = { embeddingsPrefix: 'embeddings/gen-1/', trainKey: 'kmeans/gen-1/train/embeddings.csv', idsKey: 'kmeans/gen-1/ids.txt', k: 2, dimension: 3 };

describe('prepare K-Means input', () => {
  it('writes header-less CSV rows and an ids file in the same order, across batch files in key order', async () => {
    const store = await embeddedStore(4);
    const result = await makePrepareKmeansInputHandler({ store })(prepareEvent);
    expect(result).toEqual({ images: 4, trainKey: prepareEvent.trainKey, idsKey: prepareEvent.idsKey, miniBatchSize: '4' });
    expect(await store.getText(prepareEvent.trainKey)).toBe('0,0.1,0.2\n0.1,0.2,0.3\n0.2,0.3,0.4\n0.3,0.4,0.5\n');
    expect(await store.getText(prepareEvent.idsKey)).toBe('img-0\nimg-1\nimg-2\nimg-3\n');
  });

  it('caps mini_batch_size at the K-Means default of 5000', async () => {
    const result = await makePrepareKmeansInputHandler({ store: await embeddedStore(5003) })(prepareEvent);
    expect(result.miniBatchSize).toBe('5000');
  });

  it('fails with fewer images than clusters and writes no training file', async () => {
    const store = await embeddedStore(3);
    await expect(makePrepareKmeansInputHandler({ store })({ ...prepareEvent, k: 5 })).rejects.toThrow(/only 3 images were embedded, fewer than k = 5/);
    expect(await store.exists(prepareEvent.trainKey)).toBe(false);
  });

  it('fails when the embeddings have another dimension', async () => {
    await expect(makePrepareKmeansInputHandler({ store: await embeddedStore(4, 5) })(prepareEvent)).rejects.toBeInstanceOf(DimensionMismatchError);
  });

  it('fails when there are no embeddings at all', async () => {
    await expect(makePrepareKmeansInputHandler({ store: new MemoryObjectStore() })(prepareEvent)).rejects.toThrow(/no embeddings under embeddings\/gen-1\//);
  });
});

const assignEvent = { idsKey: 'kmeans/gen-1/ids.txt', transformOutputPrefix: 'kmeans/gen-1/assigned/', assignmentsKey: 'assignments/gen-1.jsonl', k: 3 };

async function transformStore(ids: string[], clusters: string[]): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore();
  await store.writeLines(assignEvent.idsKey, ids);
  await store.writeLines('kmeans/gen-1/assigned/embeddings.csv.out', clusters.map((c) => `{"closest_cluster": ${c}, "distance_to_cluster": 0.41}`));
  return store;
}

describe('write cluster assignments', () => {
  it('pairs transform output lines with ids by position, reading float cluster ids as integers', async () => {
    const store = await transformStore(['a', 'b', 'c'], ['2.0', '0.0', '2.0']);
    const result = await makeWriteAssignmentsHandler({ store })(assignEvent);
    expect(result).toEqual({ assignmentsKey: assignEvent.assignmentsKey, images: 3, clusters: 2 });
    expect(await store.getText(assignEvent.assignmentsKey)).toBe('{"imageId":"a","cluster":2}\n{"imageId":"b","cluster":0}\n{"imageId":"c","cluster":2}\n');
  });

  it.each([
    [['a', 'b'], ['1.0'], /has more ids than/],
    [['a'], ['1.0', '0.0'], /has more rows than/],
    [['a'], ['3.0'], /closest_cluster 3: expected an integer in \[0, 3\)/],
  ])('fails on ids %j against clusters %j and publishes nothing', async (ids, clusters, message) => {
    const store = await transformStore(ids, clusters);
    await expect(makeWriteAssignmentsHandler({ store })(assignEvent)).rejects.toThrow(message);
    expect(await store.exists(assignEvent.assignmentsKey)).toBe(false);
  });

  it('fails when the transform output is missing', async () => {
    const store = new MemoryObjectStore();
    await store.writeLines(assignEvent.idsKey, ['a']);
    await expect(makeWriteAssignmentsHandler({ store })(assignEvent)).rejects.toThrow(/expected one transform output \(\*\.out\) under kmeans\/gen-1\/assigned\/, found 0/);
  });
});

describe('K-Means wire formats', () => {
  it('writes float32 values with 8 significant digits and rejects non-finite ones', () => {
    expect(kmeansCsvRow(Float32Array.from([0.1, -2.5e-7, 1]))).toBe('0.1,-2.5e-7,1');
    expect(() => kmeansCsvRow([0, Number.NaN])).toThrow(/component 1 is NaN/);
  });

  it('rejects a cluster id that is not an integer', () => {
    expect(parseKmeansAssignment('{"closest_cluster": 1.0}', 2, 'line 1')).toBe(1);
    expect(() => parseKmeansAssignment('{"closest_cluster": 1.5}', 2, 'line 1')).toThrow(/line 1 has closest_cluster 1.5/);
    expect(() => parseKmeansAssignment('nope', 2, 'line 9')).toThrow(/line 9 is not JSON/);
  });
});
