/** Small dense-vector helpers on Float32Array, shared by the embedder, the index and k-means. */

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function squaredDistance(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    s += d * d;
  }
  return s;
}

export function norm(a: Float32Array): number {
  return Math.sqrt(dot(a, a));
}

/** L2-normalises in place and returns the same array; a zero vector stays zero. */
export function normalizeInPlace(a: Float32Array): Float32Array {
  const n = norm(a);
  if (n > 0) for (let i = 0; i < a.length; i++) a[i] = (a[i] as number) / n;
  return a;
}

export function normalized(a: ArrayLike<number>): Float32Array {
  return normalizeInPlace(Float32Array.from(a));
}
