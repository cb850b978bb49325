/**
 * Row-major Float32 matrix products and an Adam optimiser: just enough to train the local embedder's two small
 * towers in plain TypeScript. Loops are ordered so the innermost one walks memory contiguously.
 */

/** out (n x m) = a (n x k) * b (k x m). */
export function matmul(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = i * m;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p] as number;
      // ReLU activations are often exactly zero; skipping them is the cheapest speed-up there is.
      if (aip === 0) continue;
      axpy(out, row, b, p * m, aip, m);
    }
  }
  return out;
}

/**
 * out[o..o+m) += s * x[xo..xo+m). Unrolled by four: V8 does not vectorise, and the unrolled loop runs about twice
 * as fast as the plain one on these sizes.
 */
function axpy(out: Float32Array, o: number, x: Float32Array, xo: number, s: number, m: number): void {
  let j = 0;
  for (; j + 3 < m; j += 4) {
    out[o + j]! += s * (x[xo + j] as number);
    out[o + j + 1]! += s * (x[xo + j + 1] as number);
    out[o + j + 2]! += s * (x[xo + j + 2] as number);
    out[o + j + 3]! += s * (x[xo + j + 3] as number);
  }
  for (; j < m; j++) out[o + j]! += s * (x[xo + j] as number);
}

/** out (k x m) = a^T * b, with a (n x k) and b (n x m): the weight gradient of a layer. */
export function matmulTransA(a: Float32Array, b: Float32Array, n: number, k: number, m: number): Float32Array {
  const out = new Float32Array(k * m);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p] as number;
      if (aip === 0) continue;
      axpy(out, p * m, b, i * m, aip, m);
    }
  }
  return out;
}

/** out (n x k) = a * b^T, with a (n x m) and b (k x m): the input gradient of a layer, or row-wise dot products. */
export function matmulTransB(a: Float32Array, b: Float32Array, n: number, m: number, k: number): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < k; p++) {
      const ai = i * m;
      const bp = p * m;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < m; j += 4) {
        s0 += (a[ai + j] as number) * (b[bp + j] as number);
        s1 += (a[ai + j + 1] as number) * (b[bp + j + 1] as number);
        s2 += (a[ai + j + 2] as number) * (b[bp + j + 2] as number);
        s3 += (a[ai + j + 3] as number) * (b[bp + j + 3] as number);
      }
      for (; j < m; j++) s0 += (a[ai + j] as number) * (b[bp + j] as number);
      out[i * k + p] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}

/** Adds a bias row to every row of x (n x m), in place. */
export function addRowInPlace(x: Float32Array, bias: Float32Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) x[i * m + j]! += bias[j] as number;
}

/** Normalises each row of x (n x m) to unit length in place; returns the norms it divided by. */
export function normalizeRowsInPlace(x: Float32Array, n: number, m: number): Float32Array {
  const norms = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += (x[i * m + j] as number) ** 2;
    const len = Math.sqrt(s) || 1;
    norms[i] = len;
    for (let j = 0; j < m; j++) x[i * m + j] = (x[i * m + j] as number) / len;
  }
  return norms;
}

/** Gradient through row normalisation y = z / |z|: dz = (dy - y (y . dy)) / |z|, in place on dy. */
export function normalizeRowsBackward(y: Float32Array, dy: Float32Array, norms: Float32Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    let proj = 0;
    for (let j = 0; j < m; j++) proj += (y[i * m + j] as number) * (dy[i * m + j] as number);
    const len = norms[i] as number;
    for (let j = 0; j < m; j++) dy[i * m + j] = ((dy[i * m + j] as number) - (y[i * m + j] as number) * proj) / len;
  }
}

/** Adam with decoupled weight decay (AdamW) for one parameter tensor. */
export class AdamParameter {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private steps = 0;

  constructor(readonly value: Float32Array, private readonly weightDecay = 0) {
    this.m = new Float32Array(value.length);
    this.v = new Float32Array(value.length);
  }

  step(grad: Float32Array, learningRate: number, beta1 = 0.9, beta2 = 0.999, eps = 1e-8): void {
    this.steps++;
    const c1 = 1 - beta1 ** this.steps;
    const c2 = 1 - beta2 ** this.steps;
    const decay = 1 - learningRate * this.weightDecay;
    const { value, m, v } = this;
    for (let i = 0; i < value.length; i++) {
      const g = grad[i] as number;
      const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      value[i] = (value[i] as number) * decay - (learningRate * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}
