/**
 * The local embedder's model: an image tower (standardised hand-made features -> ReLU MLP) and a text tower (linear
 * over sparse n-grams), both landing in one space. The last axis of that space is reserved: images always have 0
 * there and a text puts the share of itself the model does not know there, so a query of unknown words comes out
 * orthogonal to every image (similarity 0) instead of pointing somewhere arbitrary.
 */
import { addRowInPlace, matmul } from './dense';
import type { SparseText, TextVocabulary } from './text-features';

export interface DualEncoderWeights {
  /** Length of the output vectors, including the reserved unknown-text axis. */
  readonly dimension: number;
  readonly featureLength: number;
  readonly hidden: number;
  /** Per-feature mean and standard deviation of the training images, to standardise inputs. */
  readonly featureMean: Float32Array;
  readonly featureScale: Float32Array;
  /** featureLength x hidden, and hidden. */
  readonly w1: Float32Array;
  readonly b1: Float32Array;
  /** hidden x (dimension - 1). */
  readonly w2: Float32Array;
  /** vocabulary size x (dimension - 1). */
  readonly textWeights: Float32Array;
  readonly vocabulary: TextVocabulary;
}

/** Standardised features are clipped so one outlandish image cannot swamp the tower. */
export const FEATURE_CLIP = 5;

/** Standardises a batch of raw feature rows into one n x featureLength matrix. */
export function standardize(weights: Pick<DualEncoderWeights, 'featureMean' | 'featureScale' | 'featureLength'>, rows: readonly Float32Array[]): Float32Array {
  const f = weights.featureLength;
  const out = new Float32Array(rows.length * f);
  rows.forEach((row, i) => {
    for (let j = 0; j < f; j++) {
      const z = ((row[j] as number) - (weights.featureMean[j] as number)) * (weights.featureScale[j] as number);
      out[i * f + j] = Math.max(-FEATURE_CLIP, Math.min(FEATURE_CLIP, z));
    }
  });
  return out;
}

/** Hidden activations (n x hidden) of standardised inputs: relu(x W1 + b1). */
export function imageHidden(weights: DualEncoderWeights, x: Float32Array, n: number): Float32Array {
  const h = matmul(x, weights.w1, n, weights.featureLength, weights.hidden);
  addRowInPlace(h, weights.b1, n, weights.hidden);
  for (let i = 0; i < h.length; i++) if ((h[i] as number) < 0) h[i] = 0;
  return h;
}

/** Un-normalised text tower output (n x (dimension - 1)). */
export function textProjection(weights: DualEncoderWeights, texts: readonly SparseText[]): Float32Array {
  const d = weights.dimension - 1;
  const out = new Float32Array(texts.length * d);
  texts.forEach((t, i) => {
    for (let k = 0; k < t.indices.length; k++) {
      const row = (t.indices[k] as number) * d;
      const v = t.values[k] as number;
      for (let j = 0; j < d; j++) out[i * d + j]! += v * (weights.textWeights[row + j] as number);
    }
  });
  return out;
}

/** Unit image vectors (dimension long, reserved axis 0) for raw feature rows. */
export function encodeImages(weights: DualEncoderWeights, rows: readonly Float32Array[]): Float32Array[] {
  const n = rows.length;
  const d = weights.dimension - 1;
  const z = matmul(imageHidden(weights, standardize(weights, rows), n), weights.w2, n, weights.hidden, d);
  return rows.map((_, i) => unitWithReserved(z.subarray(i * d, (i + 1) * d), 0, weights.dimension));
}

/** Unit text vectors; the reserved axis carries the unknown share. */
export function encodeTexts(weights: DualEncoderWeights, texts: readonly SparseText[]): Float32Array[] {
  const d = weights.dimension - 1;
  const z = textProjection(weights, texts);
  return texts.map((t, i) => unitWithReserved(z.subarray(i * d, (i + 1) * d), t.unknownShare, weights.dimension));
}

/**
 * [z / |z| * sqrt(1 - u^2), u]: always unit length. A zero z (nothing known) puts all the mass on the reserved axis,
 * whatever u says, so the result is never NaN and never zero.
 */
function unitWithReserved(z: Float32Array, unknownShare: number, dimension: number): Float32Array {
  const out = new Float32Array(dimension);
  let s = 0;
  for (const v of z) s += v * v;
  const len = Math.sqrt(s);
  if (!(len > 1e-12) || !Number.isFinite(len)) {
    out[dimension - 1] = 1;
    return out;
  }
  const u = Math.min(1, Math.max(0, unknownShare));
  const keep = Math.sqrt(1 - u * u) / len;
  for (let j = 0; j < z.length; j++) out[j] = (z[j] as number) * keep;
  out[dimension - 1] = u;
  return out;
}
