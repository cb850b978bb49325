/** In-process k-means (squared Euclidean on the normalised embeddings): seeded, restarted, optionally warm-started. */
import { DimensionMismatchError, ValidationError } from '../errors';
import type { ClusterModel, Clusterer, TrainOptions } from '../ports/clusterer';
import { createRandom } from '../random';
import { absoluteTolerance, runLloyd, seedPlusPlus, squaredDistanceF64 } from './kmeans-lloyd';
import type { KMeansData, LloydResult } from './kmeans-lloyd';
import { matchToPrevious, warmStartCentres } from './kmeans-warm-start';

export interface KMeansClustererProps {
  /** Restarts when `TrainOptions.restarts` is not given. @default 3 */
  readonly defaultRestarts?: number;
  /** Lloyd iterations per restart when `TrainOptions.maxIterations` is not given. @default 300 */
  readonly defaultMaxIterations?: number;
  /** Convergence: total squared centroid movement below this times the data's mean per-feature variance. @default 1e-4 */
  readonly tolerance?: number;
  /**
   * With a warm start, a fresh restart replaces the warm-started run only if its inertia is lower by more than this
   * fraction. Cluster ids become ranking item ids, so reshuffling clusters for a marginal gain would scramble every
   * user's history. @default 0.05
   */
  readonly warmStartMargin?: number;
}

/** A trained model plus what the pipeline reports about the training. */
export interface KMeansFit {
  readonly model: ClusterModel;
  /** Cluster id of each training vector under `model`. */
  readonly labels: number[];
  readonly inertia: number;
  /** Inertia of each restart, in the order run (the warm-started run first when there is one). */
  readonly restartInertias: number[];
  readonly iterations: number;
  readonly converged: boolean;
  /** Empty clusters re-seeded during the winning run. */
  readonly reseeds: number;
}

export class KMeansClusterer implements Clusterer {
  private readonly defaultRestarts: number;
  private readonly defaultMaxIterations: number;
  private readonly tolerance: number;
  private readonly warmStartMargin: number;

  constructor(props: KMeansClustererProps = {}) {
    this.defaultRestarts = positiveInteger(props.defaultRestarts ?? 3, 'defaultRestarts');
    this.defaultMaxIterations = positiveInteger(props.defaultMaxIterations ?? 300, 'defaultMaxIterations');
    this.tolerance = props.tolerance ?? 1e-4;
    if (!(this.tolerance >= 0)) throw new ValidationError(`tolerance must be >= 0, got ${this.tolerance}`, { field: 'tolerance' });
    this.warmStartMargin = props.warmStartMargin ?? 0.05;
    if (!(this.warmStartMargin >= 0 && this.warmStartMargin < 1)) {
      throw new ValidationError(`warmStartMargin must be in [0, 1), got ${this.warmStartMargin}`, { field: 'warmStartMargin' });
    }
  }

  async train(vectors: readonly Float32Array[], options: TrainOptions): Promise<ClusterModel> {
    return (await this.fit(vectors, options)).model;
  }

  async fit(vectors: readonly Float32Array[], options: TrainOptions): Promise<KMeansFit> {
    const data = flatten(vectors);
    const k = positiveInteger(options.k, 'k');
    if (k > data.n) {
      throw new ValidationError(`k = ${k} is more clusters than the ${data.n} vectors to cluster; lower k or add data`, { field: 'k' });
    }
    const restarts = positiveInteger(options.restarts ?? this.defaultRestarts, 'restarts');
    const maxIterations = positiveInteger(options.maxIterations ?? this.defaultMaxIterations, 'maxIterations');
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new ValidationError(`seed must be an integer, got ${seed}`, { field: 'seed' });
    const warm = options.warmStart;
    if (warm) validateModel(warm, 'warmStart', data.d);

    const random = createRandom(seed);
    const lloyd = { maxIterations, tolerance: absoluteTolerance(data, this.tolerance) };
    const runs: LloydResult[] = [];
    for (let r = 0; r < restarts; r++) {
      const fixed = warm && r === 0 ? warmStartCentres(warm.centroids, k, data.d) : undefined;
      const initial = seedPlusPlus(data, k, random.fork(fixed ? 'warm' : `restart-${r}`), fixed);
      runs.push(runLloyd(data, initial, k, lloyd));
    }
    // The first run wins ties; with a warm start (run 0) a fresh run must beat it by the margin.
    const handicap = warm ? 1 - this.warmStartMargin : 1;
    const first = runs[0] as LloydResult;
    const best = runs.slice(1).reduce((a, b) => (b.inertia < (a === first ? a.inertia * handicap : a.inertia) ? b : a), first);

    let ids: Int32Array | undefined;
    if (warm) ids = matchToPrevious(best.centroids, k, data.d, warm.centroids);
    const centroids: Float32Array[] = new Array<Float32Array>(k);
    for (let c = 0; c < k; c++) centroids[ids ? (ids[c] as number) : c] = Float32Array.from(best.centroids.subarray(c * data.d, (c + 1) * data.d));
    const labels = Array.from(best.labels, (c) => (ids ? (ids[c] as number) : c));
    return {
      model: { k, dimension: data.d, centroids },
      labels,
      inertia: best.inertia,
      restartInertias: runs.map((r) => r.inertia),
      iterations: best.iterations,
      converged: best.converged,
      reseeds: best.reseeds,
    };
  }

  async assign(model: ClusterModel, vectors: readonly Float32Array[]): Promise<number[]> {
    validateModel(model, 'model');
    const { k, dimension } = model;
    const flat = new Float64Array(k * dimension);
    model.centroids.forEach((c, i) => flat.set(c, i * dimension));
    return vectors.map((vector, index) => {
      checkVector(vector, dimension, index);
      let best = Infinity;
      let bestC = 0;
      for (let c = 0; c < k; c++) {
        const dist = squaredDistanceF64(vector, 0, flat, c * dimension, dimension);
        if (dist < best) {
          best = dist;
          bestC = c;
        }
      }
      return bestC;
    });
  }
}

function flatten(vectors: readonly Float32Array[]): KMeansData {
  if (!Array.isArray(vectors) || vectors.length === 0) {
    throw new ValidationError('k-means needs at least one vector', { field: 'vectors' });
  }
  const first = vectors[0];
  if (!(first instanceof Float32Array) || first.length === 0) {
    throw new ValidationError('vectors must be non-empty Float32Arrays', { field: 'vectors' });
  }
  const d = first.length;
  const points = new Float32Array(vectors.length * d);
  vectors.forEach((v, i) => {
    checkVector(v, d, i);
    points.set(v, i * d);
  });
  return { points, n: vectors.length, d };
}

function checkVector(vector: Float32Array, dimension: number, index: number): void {
  if (!(vector instanceof Float32Array)) throw new ValidationError(`vector ${index} is not a Float32Array`, { field: 'vectors' });
  if (vector.length !== dimension) throw new DimensionMismatchError(dimension, vector.length, `vector ${index}`);
  for (let j = 0; j < vector.length; j++) {
    if (!Number.isFinite(vector[j])) throw new ValidationError(`vector ${index} has a NaN or infinite component at ${j}`, { field: 'vectors' });
  }
}

function validateModel(model: ClusterModel, field: string, dimension?: number): void {
  if (!Number.isInteger(model.k) || model.k < 1 || model.centroids.length !== model.k) {
    throw new ValidationError(`${field} says k = ${model.k} but has ${model.centroids.length} centroids`, { field });
  }
  if (dimension !== undefined && model.dimension !== dimension) {
    throw new DimensionMismatchError(dimension, model.dimension, `${field} model`);
  }
  model.centroids.forEach((c, i) => {
    if (c.length !== model.dimension) throw new DimensionMismatchError(model.dimension, c.length, `${field} centroid ${i}`);
  });
}

function positiveInteger(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 1) throw new ValidationError(`${field} must be a positive integer, got ${String(value)}`, { field });
  return value;
}
