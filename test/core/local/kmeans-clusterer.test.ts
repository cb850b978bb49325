import { describe, it, expect } from 'vitest';
import { KMeansClusterer } from '../../../core/local/kmeans-clusterer';
import { absoluteTolerance, runLloyd } from '../../../core/local/kmeans-lloyd';
import { matchToPrevious } from '../../../core/local/kmeans-warm-start';
import { DimensionMismatchError, ValidationError } from '../../../core/errors';
import type { ClusterModel } from '../../../core/ports/clusterer';
import { createRandom } from '../../../core/random';
import { normalizeInPlace } from '../../../core/vector-math';
import { clusteredVectors } from '../../fixtures/clustered-vectors';

const clusterer = new KMeansClusterer();

function agreement(a: readonly number[], b: readonly number[]): number {
  return a.filter((x, i) => x === b[i]).length / a.length;
}

function flat(vectors: Float32Array[]): { points: Float32Array; n: number; d: number } {
  const d = (vectors[0] as Float32Array).length;
  const points = new Float32Array(vectors.length * d);
  vectors.forEach((v, i) => points.set(v, i * d));
  return { points, n: vectors.length, d };
}

/** The same points with a little noise, as after re-embedding a library that barely changed. */
function jitter(vectors: Float32Array[], amount: number, seed: number): Float32Array[] {
  const random = createRandom(seed);
  return vectors.map((v) => normalizeInPlace(Float32Array.from(v, (x) => x + amount * random.normal())));
}

describe('KMeansClusterer.train', () => {
  it('gives identical centroids and assignments for the same seed', async () => {
    const { vectors } = clusteredVectors({ count: 600, dimension: 16, clusters: 10, seed: 1, spread: 0.8 });
    const a = await clusterer.fit(vectors, { k: 10, seed: 42, restarts: 3 });
    const b = await clusterer.fit(vectors, { k: 10, seed: 42, restarts: 3 });
    expect(b.labels).toEqual(a.labels);
    expect(b.model.centroids).toEqual(a.model.centroids);
    expect(await clusterer.assign(a.model, vectors)).toEqual(a.labels);
  });

  it('recovers planted clusters one-to-one', async () => {
    const { vectors, labels } = clusteredVectors({ count: 800, dimension: 32, clusters: 8, seed: 2, spread: 0.5 });
    const fit = await clusterer.fit(vectors, { k: 8, seed: 1 });
    const foundFor = new Map<number, Set<number>>();
    labels.forEach((planted, i) => {
      const set = foundFor.get(planted) ?? new Set<number>();
      set.add(fit.labels[i] as number);
      foundFor.set(planted, set);
    });
    expect([...foundFor.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...foundFor.values()].map((s) => [...s][0])).size).toBe(8);
  });

  it('reaches lower inertia with k-means++ restarts than single random initialisations', async () => {
    const { vectors } = clusteredVectors({ count: 1500, dimension: 32, clusters: 30, seed: 21, spread: 0.5 });
    const fit = await clusterer.fit(vectors, { k: 30, seed: 1, restarts: 5 });
    const data = flat(vectors);
    const tolerance = absoluteTolerance(data, 1e-4);
    const randomInits: number[] = [];
    for (let s = 0; s < 5; s++) {
      const chosen = createRandom(100 + s).shuffle([...vectors.keys()]).slice(0, 30);
      const initial = new Float64Array(30 * data.d);
      chosen.forEach((p, c) => initial.set(vectors[p] as Float32Array, c * data.d));
      randomInits.push(runLloyd(data, initial, 30, { maxIterations: 300, tolerance }).inertia);
    }
    expect(fit.inertia).toBeLessThan(Math.min(...randomInits));
  });

  it('re-seeds an empty cluster from the point farthest from its centroid', () => {
    const { vectors } = clusteredVectors({ count: 200, dimension: 8, clusters: 4, seed: 4, spread: 0.6 });
    const data = flat(vectors);
    const initial = new Float64Array(4 * 8);
    for (let c = 0; c < 3; c++) initial.set(vectors[c] as Float32Array, c * 8);
    initial.fill(100, 3 * 8); // a centroid far from every point gets none of them
    const result = runLloyd(data, initial, 4, { maxIterations: 100, tolerance: 0 });
    expect(result.reseeds).toBeGreaterThanOrEqual(1);
    const sizes = new Array<number>(4).fill(0);
    for (const label of result.labels) sizes[label] = (sizes[label] as number) + 1;
    expect(sizes.every((s) => s > 0)).toBe(true);
    expect(result.centroids.every(Number.isFinite)).toBe(true);
  });

  it('copes with fewer distinct points than clusters', async () => {
    const base = [new Float32Array([1, 0]), new Float32Array([0, 1]), new Float32Array([-1, 0])];
    const vectors = Array.from({ length: 12 }, (_, i) => base[i % 3] as Float32Array);
    const fit = await clusterer.fit(vectors, { k: 5, seed: 3, maxIterations: 20 });
    expect(fit.model.centroids).toHaveLength(5);
    expect(fit.model.centroids.every((c) => c.every(Number.isFinite))).toBe(true);
    expect(fit.inertia).toBeCloseTo(0, 10);
  });

  it('rejects k larger than the number of vectors, and other bad options', async () => {
    const { vectors } = clusteredVectors({ count: 5, dimension: 4, clusters: 2, seed: 1 });
    await expect(clusterer.train(vectors, { k: 6 })).rejects.toThrow(/k = 6 is more clusters than the 5 vectors/);
    await expect(clusterer.train(vectors, { k: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(clusterer.train(vectors, { k: 2, restarts: 0 })).rejects.toThrow(/restarts must be a positive integer/);
    await expect(clusterer.train([], { k: 1 })).rejects.toThrow(/at least one vector/);
  });

  it('rejects vectors of mixed dimension and non-finite vectors', async () => {
    const good = new Float32Array([1, 0, 0]);
    await expect(clusterer.train([good, new Float32Array([1, 0])], { k: 1 })).rejects.toBeInstanceOf(DimensionMismatchError);
    await expect(clusterer.train([good, new Float32Array([Number.NaN, 0, 0])], { k: 1 })).rejects.toThrow(/NaN or infinite/);
  });
});

describe('KMeansClusterer warm start', () => {
  // 2,100 points around the same 12 centres: the first 2,000 are last run's library, the rest are new images.
  const grown = clusteredVectors({ count: 2100, dimension: 32, clusters: 12, seed: 5, spread: 0.4 });
  const old = { vectors: grown.vectors.slice(0, 2000) };
  const added = grown.vectors.slice(2000);

  it('keeps at least 90% of cluster ids when the data barely changes', async () => {
    const before = await clusterer.fit(old.vectors, { k: 12, seed: 1 });
    const after = await clusterer.fit([...jitter(old.vectors, 0.02, 9), ...added], { k: 12, seed: 2, warmStart: before.model });
    expect(agreement(before.labels, after.labels.slice(0, 2000))).toBeGreaterThanOrEqual(0.9);
    // Without the warm start the same retraining numbers its clusters arbitrarily.
    const cold = await clusterer.fit([...jitter(old.vectors, 0.02, 9), ...added], { k: 12, seed: 2 });
    expect(agreement(before.labels, cold.labels.slice(0, 2000))).toBeLessThan(0.5);
  });

  it('matches new centroids to a permuted previous model by minimum total distance', async () => {
    const before = await clusterer.fit(old.vectors, { k: 12, seed: 1 });
    const permutation = createRandom(77).shuffle([...Array(12).keys()]);
    const previous = permutation.map((from) => before.model.centroids[from] as Float32Array);
    const fresh = new Float64Array(12 * 32);
    before.model.centroids.forEach((c, i) => fresh.set(c, i * 32));
    const ids = matchToPrevious(fresh, 12, 32, previous);
    expect([...ids]).toEqual([...Array(12).keys()].map((i) => permutation.indexOf(i)));
  });

  it('gives retrained clusters the ids of a permuted previous model', async () => {
    const before = await clusterer.fit(old.vectors, { k: 12, seed: 1 });
    const permutation = createRandom(77).shuffle([...Array(12).keys()]);
    const permuted: ClusterModel = {
      k: 12,
      dimension: 32,
      centroids: permutation.map((from) => before.model.centroids[from] as Float32Array),
    };
    // A margin of 0 lets the best fresh restart win, so the ids come from the matching, not from the warm seeds.
    const eager = new KMeansClusterer({ warmStartMargin: 0 });
    const after = await eager.fit(jitter(old.vectors, 0.01, 3), { k: 12, seed: 2, warmStart: permuted, restarts: 4 });
    expect(agreement(await clusterer.assign(permuted, old.vectors), after.labels)).toBeGreaterThanOrEqual(0.9);
  });

  it('keeps the old ids when k grows and gives the new clusters the new ids', async () => {
    const { vectors } = clusteredVectors({ count: 800, dimension: 16, clusters: 8, seed: 8, spread: 0.4 });
    const six = await clusterer.fit(vectors, { k: 6, seed: 1 });
    const eight = await clusterer.fit(vectors, { k: 8, seed: 1, warmStart: six.model });
    const sixLabels = six.labels;
    // Points whose old cluster survives (kept its centroid) keep their id.
    const kept = sixLabels.filter((label, i) => eight.labels[i] === label).length;
    expect(kept / vectors.length).toBeGreaterThanOrEqual(0.6);
    expect(new Set(eight.labels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7]));
  });

  it('rejects a warm start of another dimension', async () => {
    const model: ClusterModel = { k: 2, dimension: 3, centroids: [new Float32Array(3), new Float32Array(3)] };
    await expect(clusterer.train(old.vectors.slice(0, 10), { k: 2, warmStart: model })).rejects.toBeInstanceOf(DimensionMismatchError);
  });
});

describe('KMeansClusterer.assign', () => {
  const model: ClusterModel = { k: 2, dimension: 2, centroids: [new Float32Array([1, 0]), new Float32Array([0, 1])] };

  it('returns the nearest centroid of each vector', async () => {
    expect(await clusterer.assign(model, [new Float32Array([0.9, 0.1]), new Float32Array([0.2, 0.8])])).toEqual([0, 1]);
  });

  it('rejects a vector of the wrong dimension', async () => {
    await expect(clusterer.assign(model, [new Float32Array([1, 0, 0])])).rejects.toMatchObject({ expected: 2, actual: 3 });
  });
});
