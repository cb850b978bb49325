/**
 * k-means on a flat row-major Float32Array: k-means++ seeding and Lloyd iterations accelerated with Elkan's bounds.
 * The bounds only skip distance computations that cannot change an assignment, so the result is exactly Lloyd's.
 * Centroids are kept in float64 so long sums over many points do not drift.
 */
import type { Random } from '../random';

export interface KMeansData {
  /** n x d, row-major. */
  readonly points: Float32Array;
  readonly n: number;
  readonly d: number;
}

export interface LloydOptions {
  readonly maxIterations: number;
  /** Stop when the sum of squared centroid moves falls below this (absolute; see `absoluteTolerance`). */
  readonly tolerance: number;
}

export interface LloydResult {
  /** k x d, row-major. */
  readonly centroids: Float64Array;
  readonly labels: Int32Array;
  /** Sum of squared distances of the points to their centroids. */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** How many times an empty cluster was re-seeded. */
  readonly reseeds: number;
}

/** scikit-learn's convention: a relative tolerance times the mean per-feature variance of the data. */
export function absoluteTolerance(data: KMeansData, relative: number): number {
  const { points, n, d } = data;
  if (n === 0) return 0;
  let total = 0;
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += points[i * d + j] as number;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += ((points[i * d + j] as number) - mean) ** 2;
    total += variance / n;
  }
  return (relative * total) / d;
}

/**
 * k-means++: each next centre is a point drawn with probability proportional to its squared distance to the nearest
 * centre so far. `fixed` centres (a warm start's) are taken first and the rest are drawn around them.
 */
export function seedPlusPlus(data: KMeansData, k: number, random: Random, fixed?: Float64Array): Float64Array {
  const { points, n, d } = data;
  const centroids = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  const owner = new Int32Array(n).fill(-1);
  const gapToNew = new Float64Array(k);
  let chosen = 0;
  const adopt = (source: ArrayLike<number>, offset: number): void => {
    const c = chosen;
    for (let j = 0; j < d; j++) centroids[c * d + j] = source[offset + j] as number;
    for (let other = 0; other < c; other++) gapToNew[other] = squaredDistanceF64F64(centroids, centroids, other * d, d, c * d);
    for (let i = 0; i < n; i++) {
      const current = nearest[i] as number;
      // If the new centre is at least twice as far from the point's centre as the point is, it cannot be nearer.
      const own = owner[i] as number;
      if (own >= 0 && (gapToNew[own] as number) >= 4 * current) continue;
      const dist = squaredDistanceF64(points, i * d, centroids, c * d, d);
      if (dist < current) {
        nearest[i] = dist;
        owner[i] = c;
      }
    }
    chosen++;
  };
  const fixedCount = fixed ? Math.min(k, fixed.length / d) : 0;
  for (let c = 0; c < fixedCount; c++) adopt(fixed as Float64Array, c * d);
  if (chosen === 0) adopt(points, random.int(n) * d);
  while (chosen < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i] as number;
    let pick = n - 1;
    if (total > 0) {
      let target = random.next() * total;
      for (let i = 0; i < n; i++) {
        target -= nearest[i] as number;
        if (target < 0) {
          pick = i;
          break;
        }
      }
    } else {
      // Every point already sits on a centre (duplicates): any point is as good as another.
      pick = random.int(n);
    }
    adopt(points, pick * d);
  }
  return centroids;
}

export function runLloyd(data: KMeansData, initial: Float64Array, k: number, options: LloydOptions): LloydResult {
  const { points, n, d } = data;
  let centroids: Float64Array = Float64Array.from(initial);
  const labels = new Int32Array(n);
  const upper = new Float64Array(n);
  // Elkan's bounds: lower[i * k + c] <= distance from point i to centroid c. n x k doubles buys skipping most
  // distance computations, which in 256+ dimensions is where all the time goes.
  const lower = new Float64Array(n * k);
  const centreGap = new Float64Array(k * k);
  const halfNearest = new Float64Array(k);
  computeCentreGaps(centroids, k, d, centreGap, halfNearest);
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bestC = 0;
    for (let c = 0; c < k; c++) {
      const gap = centreGap[bestC * k + c] as number;
      if (c > 0 && gap >= 2 * best) {
        // Skipped: c is at least gap - best away, which is all Elkan's lower bound needs.
        lower[i * k + c] = gap - best;
        continue;
      }
      const dist = Math.sqrt(squaredDistanceF64(points, i * d, centroids, c * d, d));
      lower[i * k + c] = dist;
      if (dist < best) {
        best = dist;
        bestC = c;
      }
    }
    labels[i] = bestC;
    upper[i] = best;
  }

  const shift = new Float64Array(k);
  let iterations = 0;
  let converged = false;
  let reseeds = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    const update = updateCentroids(data, labels, k, upper, lower);
    reseeds += update.reseeds;
    let shiftTotal = 0;
    for (let c = 0; c < k; c++) {
      const s = Math.sqrt(squaredDistanceF64F64(centroids, update.centroids, c * d, d));
      shift[c] = s;
      shiftTotal += s * s;
    }
    centroids = update.centroids;
    // A centroid that moved by s can be at most s closer to or farther from any point than before.
    for (let i = 0; i < n; i++) {
      upper[i] = (upper[i] as number) + (shift[labels[i] as number] as number);
      const row = i * k;
      for (let c = 0; c < k; c++) {
        const l = (lower[row + c] as number) - (shift[c] as number);
        lower[row + c] = l > 0 ? l : 0;
      }
    }
    if (shiftTotal <= options.tolerance && update.reseeds === 0) converged = true;

    computeCentreGaps(centroids, k, d, centreGap, halfNearest);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      let label = labels[i] as number;
      let u = upper[i] as number;
      if (u <= (halfNearest[label] as number)) continue;
      let tight = false;
      const row = i * k;
      for (let c = 0; c < k; c++) {
        if (c === label) continue;
        // Triangle inequality: c cannot be nearer than the current centroid unless both tests fail.
        if (u <= (lower[row + c] as number) || u <= 0.5 * (centreGap[label * k + c] as number)) continue;
        if (!tight) {
          u = Math.sqrt(squaredDistanceF64(points, i * d, centroids, label * d, d));
          lower[row + label] = u;
          tight = true;
          if (u <= (lower[row + c] as number) || u <= 0.5 * (centreGap[label * k + c] as number)) continue;
        }
        const dist = Math.sqrt(squaredDistanceF64(points, i * d, centroids, c * d, d));
        lower[row + c] = dist;
        if (dist < u || (dist === u && c < label)) {
          label = c;
          u = dist;
        }
      }
      upper[i] = u;
      if (label !== labels[i]) {
        labels[i] = label;
        changed++;
      }
    }
    if (converged) break;
    if (changed === 0 && update.reseeds === 0) {
      converged = true;
      break;
    }
  }

  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += squaredDistanceF64(points, i * d, centroids, (labels[i] as number) * d, d);
  return { centroids, labels, inertia, iterations, converged, reseeds };
}

/**
 * Means of the current clusters. An empty cluster takes the point farthest from its own centroid (from a cluster that
 * can spare one), which is where the model fits worst; that point's bounds are reset so it is re-examined.
 */
function updateCentroids(
  data: KMeansData,
  labels: Int32Array,
  k: number,
  upper: Float64Array,
  lower: Float64Array,
): { centroids: Float64Array; reseeds: number } {
  const { points, n, d } = data;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const label = labels[i] as number;
    counts[label] = (counts[label] as number) + 1;
    for (let j = 0; j < d; j++) sums[label * d + j] = (sums[label * d + j] as number) + (points[i * d + j] as number);
  }
  const centroids = new Float64Array(k * d);
  const divide = (c: number): void => {
    for (let j = 0; j < d; j++) centroids[c * d + j] = (sums[c * d + j] as number) / (counts[c] as number);
  };
  for (let c = 0; c < k; c++) if ((counts[c] as number) > 0) divide(c);
  let reseeds = 0;
  for (let empty = 0; empty < k; empty++) {
    if (counts[empty] !== 0) continue;
    let far = -1;
    let farDist = -1;
    for (let i = 0; i < n; i++) {
      const label = labels[i] as number;
      if ((counts[label] as number) < 2) continue;
      const dist = squaredDistanceF64(points, i * d, centroids, label * d, d);
      if (dist > farDist) {
        farDist = dist;
        far = i;
      }
    }
    const donor = labels[far] as number;
    counts[donor] = (counts[donor] as number) - 1;
    for (let j = 0; j < d; j++) sums[donor * d + j] = (sums[donor * d + j] as number) - (points[far * d + j] as number);
    divide(donor);
    counts[empty] = 1;
    for (let j = 0; j < d; j++) {
      sums[empty * d + j] = points[far * d + j] as number;
      centroids[empty * d + j] = points[far * d + j] as number;
    }
    labels[far] = empty;
    upper[far] = 0;
    lower.fill(0, far * k, (far + 1) * k);
    reseeds++;
  }
  return { centroids, reseeds };
}

/** Pairwise centroid distances, and half the distance from each centroid to its nearest other one. */
function computeCentreGaps(centroids: Float64Array, k: number, d: number, gaps: Float64Array, halfNearest: Float64Array): void {
  halfNearest.fill(Infinity);
  for (let a = 0; a < k; a++) {
    gaps[a * k + a] = 0;
    for (let b = a + 1; b < k; b++) {
      const gap = Math.sqrt(squaredDistanceF64F64(centroids, centroids, a * d, d, b * d));
      gaps[a * k + b] = gap;
      gaps[b * k + a] = gap;
      if (gap / 2 < (halfNearest[a] as number)) halfNearest[a] = gap / 2;
      if (gap / 2 < (halfNearest[b] as number)) halfNearest[b] = gap / 2;
    }
  }
}

/** Squared distance between row `po` of a float32 matrix and row `co` of a float64 matrix. */
export function squaredDistanceF64(points: ArrayLike<number>, po: number, centroids: Float64Array, co: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    const a = (points[po + j] as number) - (centroids[co + j] as number);
    const b = (points[po + j + 1] as number) - (centroids[co + j + 1] as number);
    const c = (points[po + j + 2] as number) - (centroids[co + j + 2] as number);
    const e = (points[po + j + 3] as number) - (centroids[co + j + 3] as number);
    s0 += a * a;
    s1 += b * b;
    s2 += c * c;
    s3 += e * e;
  }
  for (; j < d; j++) {
    const a = (points[po + j] as number) - (centroids[co + j] as number);
    s0 += a * a;
  }
  return s0 + s1 + (s2 + s3);
}

function squaredDistanceF64F64(a: Float64Array, b: Float64Array, offset: number, d: number, offsetB = offset): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const x = (a[offset + j] as number) - (b[offsetB + j] as number);
    s += x * x;
  }
  return s;
}
