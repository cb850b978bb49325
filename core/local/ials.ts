/**
 * Implicit-feedback ALS (Hu, Koren and Volinsky, "Collaborative Filtering for Implicit Feedback Datasets", 2008).
 * Every (user, item) pair has preference p = 1 if the user interacted, else 0, and confidence c = 1 + alpha * w where
 * w is the user's (event-weighted, time-decayed) interaction mass on the item. Alternating exact least squares:
 *   x_u = (YtY + Yt (C_u - I) Y + lambda I)^-1 Yt C_u p_u
 * and the same for items. Unobserved pairs only enter through the k x k gramian YtY, so one sweep costs
 * O(observed pairs * k^2 + (users + items) * k^3): milliseconds for hundreds of users and tens of clusters.
 * Regularisation is weighted by each row's number of observations (ALS-WR), see solveRow.
 */
import { choleskySolve } from '../linear-algebra';
import type { Random } from '../random';

/** The observed entries of one row (a user's items, or an item's users) and their interaction mass. */
export interface SparseRow {
  readonly indices: Int32Array;
  readonly weights: Float64Array;
}

export interface IalsOptions {
  readonly factors: number;
  readonly regularization: number;
  readonly alpha: number;
  readonly iterations: number;
  readonly random: Random;
}

export interface IalsFactors {
  /** users x factors, row-major. */
  readonly userFactors: Float64Array;
  /** items x factors, row-major. */
  readonly itemFactors: Float64Array;
}

export function trainIals(userRows: readonly SparseRow[], itemCount: number, options: IalsOptions): IalsFactors {
  const k = options.factors;
  const itemRows = transpose(userRows, itemCount);
  // Small random init; the scale only has to break symmetry, the first half-sweep sets the real magnitude.
  const init = (count: number): Float64Array => Float64Array.from({ length: count * k }, () => options.random.normal() * 0.1);
  const userFactors = init(userRows.length);
  const itemFactors = init(itemCount);
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    solveAll(userRows, itemFactors, userFactors, options);
    solveAll(itemRows, userFactors, itemFactors, options);
  }
  return { userFactors, itemFactors };
}

/** Y^T Y for a row-major count x k factor matrix. */
export function gramian(factors: Float64Array, k: number): Float64Array {
  const g = new Float64Array(k * k);
  const count = factors.length / k;
  for (let r = 0; r < count; r++) {
    const o = r * k;
    for (let i = 0; i < k; i++) {
      const fi = factors[o + i] as number;
      for (let j = i; j < k; j++) g[i * k + j] = (g[i * k + j] as number) + fi * (factors[o + j] as number);
    }
  }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) g[i * k + j] = g[j * k + i] as number;
  return g;
}

/**
 * The least-squares factor of one row against fixed factors on the other side: used by training, and at serving time
 * to fold a user in from their history and fresh events without retraining.
 */
export function solveRow(
  row: SparseRow,
  fixed: Float64Array,
  gram: Float64Array,
  k: number,
  options: Pick<IalsOptions, 'regularization' | 'alpha'>,
): Float64Array {
  const a = Float64Array.from(gram);
  // Weighted-lambda regularisation (ALS-WR, Zhou et al. 2008): lambda grows with the row's observed entries, so one
  // setting fits both a user with 3 events and a cluster seen by 300 users, at any dataset size.
  const lambda = options.regularization * Math.max(1, row.indices.length);
  for (let i = 0; i < k; i++) a[i * k + i] = (a[i * k + i] as number) + lambda;
  const b = new Float64Array(k);
  for (let n = 0; n < row.indices.length; n++) {
    const o = (row.indices[n] as number) * k;
    const extra = options.alpha * (row.weights[n] as number); // c - 1
    const c = 1 + extra;
    // Only the lower triangle: it is all choleskySolve reads.
    for (let i = 0; i < k; i++) {
      const yi = fixed[o + i] as number;
      b[i] = (b[i] as number) + c * yi;
      const s = extra * yi;
      for (let j = 0; j <= i; j++) a[i * k + j] = (a[i * k + j] as number) + s * (fixed[o + j] as number);
    }
  }
  return choleskySolve(a, b, k);
}

function solveAll(rows: readonly SparseRow[], fixed: Float64Array, target: Float64Array, options: IalsOptions): void {
  const k = options.factors;
  const gram = gramian(fixed, k);
  rows.forEach((row, r) => target.set(solveRow(row, fixed, gram, k, options), r * k));
}

function transpose(rows: readonly SparseRow[], columnCount: number): SparseRow[] {
  const counts = new Int32Array(columnCount);
  for (const row of rows) for (const c of row.indices) counts[c] = (counts[c] as number) + 1;
  const out = Array.from(counts, (n) => ({ indices: new Int32Array(n), weights: new Float64Array(n) }));
  const fill = new Int32Array(columnCount);
  rows.forEach((row, r) => {
    row.indices.forEach((c, n) => {
      const target = out[c] as { indices: Int32Array; weights: Float64Array };
      const at = fill[c] as number;
      target.indices[at] = r;
      target.weights[at] = row.weights[n] as number;
      fill[c] = at + 1;
    });
  });
  return out;
}
