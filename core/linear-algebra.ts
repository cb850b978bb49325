/** Small dense linear algebra for the ranker's normal equations (k x k, k <= a few dozen). */

/**
 * Solves A x = b for a symmetric positive-definite A (row-major n x n) by Cholesky decomposition.
 * Only the lower triangle of A is read. A and b are left untouched; the result is a new array. Throws RangeError if A is not positive definite,
 * which for ALS normal equations means the regularisation is zero or a factor went non-finite.
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  if (a.length !== n * n || b.length !== n) {
    throw new RangeError(`choleskySolve: expected a ${n}x${n} matrix and a length-${n} vector, got ${a.length} and ${b.length}`);
  }
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number;
      for (let p = 0; p < j; p++) sum -= (l[i * n + p] as number) * (l[j * n + p] as number);
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`choleskySolve: matrix is not positive definite (pivot ${i} is ${sum})`);
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / (l[j * n + j] as number);
      }
    }
  }
  // Forward substitution L y = b, then back substitution L^T x = y.
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number;
    for (let p = 0; p < i; p++) sum -= (l[i * n + p] as number) * (y[p] as number);
    y[i] = sum / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i] as number;
    for (let p = i + 1; p < n; p++) sum -= (l[p * n + i] as number) * (x[p] as number);
    x[i] = sum / (l[i * n + i] as number);
  }
  return x;
}
