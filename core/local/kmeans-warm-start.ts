/** Keeps cluster ids stable across retraining by matching new centroids to the previous model's. */
import { solveAssignment } from './optimal-assignment';

/**
 * For each new centroid (row of `fresh`, k x d), the id it should carry: the id of the previous centroid it is matched
 * to, by a minimum total squared distance one-to-one matching. With k > the previous k the unmatched new centroids
 * take the ids the previous model did not have; with k < the previous k the previous ids >= k are retired.
 */
export function matchToPrevious(fresh: Float64Array, k: number, d: number, previous: readonly Float32Array[]): Int32Array {
  const cost = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let slot = 0; slot < k; slot++) {
      const old = previous[slot];
      // Slots beyond the previous model cost the same for every centroid, so they never distort the real matches.
      if (old === undefined) continue;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const x = (fresh[i * d + j] as number) - (old[j] as number);
        s += x * x;
      }
      cost[i * k + slot] = s;
    }
  }
  return solveAssignment(cost, k, k);
}

/** The previous model's centroids (ids 0..k-1 of it, at most k of them) as a flat float64 matrix to seed from. */
export function warmStartCentres(previous: readonly Float32Array[], k: number, d: number): Float64Array {
  const count = Math.min(k, previous.length);
  const out = new Float64Array(count * d);
  for (let c = 0; c < count; c++) out.set(previous[c] as Float32Array, c * d);
  return out;
}
