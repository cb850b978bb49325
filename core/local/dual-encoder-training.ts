/**
 * Contrastive training of the dual encoder: symmetric InfoNCE over caption-image pairs with in-batch negatives,
 * AdamW, cosine learning-rate decay, all randomness from one seed so the same data and seed give the same weights.
 *
 * Captions repeat (templates, and the shortened caption views often collapse to "cat"), so in-batch pairs with the
 * very same caption text count as positives too; treating them as negatives would push apart the very images a query
 * should find together.
 */
import { ValidationError } from '../errors';
import { createRandom } from '../random';
import type { Random } from '../random';
import { AdamParameter, matmul, matmulTransA, matmulTransB, normalizeRowsBackward, normalizeRowsInPlace } from './dense';
import { imageHidden, standardize, textProjection } from './dual-encoder';
import type { DualEncoderWeights } from './dual-encoder';
import type { SparseText, TextVocabulary } from './text-features';

export interface DualEncoderTrainingData {
  /** Per training item, one or more raw feature rows of the same image (the original and augmented views). */
  readonly imageViews: readonly (readonly Float32Array[])[];
  /**
   * Per training item, sparse features of its caption and of shortened versions of it (same order as imageViews):
   * queries are short ("comic cat"), captions long ("comic drawing of a cat in a meadow").
   */
  readonly textViews: readonly (readonly SparseText[])[];
  readonly vocabulary: TextVocabulary;
}

export interface TrainingProgress {
  readonly epoch: number;
  readonly epochs: number;
  /** Mean symmetric InfoNCE loss over the epoch's batches. */
  readonly loss: number;
}

export interface DualEncoderTrainingOptions {
  readonly seed: number;
  /** Output dimension including the reserved unknown-text axis. */
  readonly dimension: number;
  /** @default 64 */
  readonly hidden?: number;
  /** @default 40 */
  readonly epochs?: number;
  /** @default 128 */
  readonly batchSize?: number;
  /** @default 0.003 */
  readonly learningRate?: number;
  /** Softmax temperature of the similarity logits. @default 0.1 */
  readonly temperature?: number;
  /** AdamW decoupled weight decay. @default 0.0005 */
  readonly weightDecay?: number;
  /** Probability of zeroing each standardised input feature during training. @default 0.1 */
  readonly inputDropout?: number;
  readonly onProgress?: (progress: TrainingProgress) => void;
}

export function trainDualEncoder(data: DualEncoderTrainingData, options: DualEncoderTrainingOptions): DualEncoderWeights {
  const n = data.imageViews.length;
  if (n < 2) throw new ValidationError(`need at least 2 captioned images to train, got ${n}`, { field: 'items' });
  if (data.textViews.length !== n) throw new ValidationError(`got ${n} images but ${data.textViews.length} captions`, { field: 'items' });
  const dimension = options.dimension;
  if (!Number.isInteger(dimension) || dimension < 4) {
    throw new ValidationError(`dimension must be an integer >= 4, got ${dimension}`, { field: 'dimension' });
  }
  const hidden = options.hidden ?? 64;
  const epochs = options.epochs ?? 40;
  const batchSize = Math.min(n, options.batchSize ?? 128);
  const baseRate = options.learningRate ?? 0.003;
  const tau = options.temperature ?? 0.1;
  const dropout = options.inputDropout ?? 0.1;
  const random = createRandom(options.seed);

  const featureLength = data.imageViews[0]?.[0]?.length ?? 0;
  const { mean, scale } = featureMoments(data.imageViews, featureLength);
  const d = dimension - 1;
  const vocabSize = data.vocabulary.terms.length;
  const init = random.fork('init');
  const weights: DualEncoderWeights = {
    dimension,
    featureLength,
    hidden,
    featureMean: mean,
    featureScale: scale,
    w1: gaussian(init, featureLength * hidden, Math.sqrt(2 / featureLength)),
    b1: new Float32Array(hidden),
    w2: gaussian(init, hidden * d, Math.sqrt(1 / hidden)),
    textWeights: gaussian(init, vocabSize * d, 0.1),
    vocabulary: data.vocabulary,
  };
  const params = {
    w1: new AdamParameter(weights.w1, options.weightDecay ?? 0.0005),
    b1: new AdamParameter(weights.b1),
    w2: new AdamParameter(weights.w2, options.weightDecay ?? 0.0005),
    text: new AdamParameter(weights.textWeights, options.weightDecay ?? 0.0005),
  };

  const batchesPerEpoch = Math.ceil(n / batchSize);
  const totalSteps = epochs * batchesPerEpoch;
  const order = random.fork('order');
  const noise = random.fork('noise');
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const perm = order.shuffle(Array.from({ length: n }, (_, i) => i));
    let lossSum = 0;
    for (let start = 0; start < n; start += batchSize) {
      // A last short batch would be a poor contrastive batch; borrow from the front of the permutation instead.
      const batch = perm.slice(start, start + batchSize);
      for (let k = 0; batch.length < batchSize; k++) batch.push(perm[k] as number);
      const rate = baseRate * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps));
      lossSum += trainStep(weights, params, data, batch, { tau, dropout, rate, noise });
      step++;
    }
    options.onProgress?.({ epoch, epochs, loss: lossSum / batchesPerEpoch });
  }
  return weights;
}

interface StepSettings {
  readonly tau: number;
  readonly dropout: number;
  readonly rate: number;
  readonly noise: Random;
}

type Params = Record<'w1' | 'b1' | 'w2' | 'text', AdamParameter>;

/** One forward/backward pass and optimiser step on a batch; returns the batch loss. */
function trainStep(w: DualEncoderWeights, params: Params, data: DualEncoderTrainingData, batch: number[], s: StepSettings): number {
  const b = batch.length;
  const f = w.featureLength;
  const hd = w.hidden;
  const d = w.dimension - 1;
  const rows = batch.map((i) => {
    const views = data.imageViews[i] as readonly Float32Array[];
    return views[s.noise.int(views.length)] as Float32Array;
  });
  const x = standardize(w, rows);
  if (s.dropout > 0) {
    const keep = 1 / (1 - s.dropout);
    // An inline xorshift, seeded from the step's generator: a closure call per input value costs more than the layer.
    let state = s.noise.int(0x7fffffff) | 1;
    const cut = s.dropout * 0x100000000;
    for (let i = 0; i < x.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      x[i] = state >>> 0 < cut ? 0 : (x[i] as number) * keep;
    }
  }
  const texts = batch.map((i) => {
    const views = data.textViews[i] as readonly SparseText[];
    return views[s.noise.int(views.length)] as SparseText;
  });

  const h = imageHidden(w, x, b);
  const zi = matmul(h, w.w2, b, hd, d);
  const normsI = normalizeRowsInPlace(zi, b, d);
  const zt = textProjection(w, texts);
  const normsT = normalizeRowsInPlace(zt, b, d);
  const logits = matmulTransB(zi, zt, b, d, b);
  for (let i = 0; i < logits.length; i++) logits[i] = (logits[i] as number) / s.tau;

  const positive = positives(texts);
  const grad = new Float32Array(b * b);
  let loss = 0;
  // Image -> text rows, then text -> image columns; each half averaged over the batch, the two averaged.
  for (let pass = 0; pass < 2; pass++) {
    // Pass 0 walks rows (stride 1), pass 1 walks columns (stride b).
    const stride = pass === 0 ? 1 : b;
    for (let a = 0; a < b; a++) {
      const first = pass === 0 ? a * b : a;
      let max = -Infinity;
      for (let k = 0; k < b; k++) max = Math.max(max, logits[first + k * stride] as number);
      let sum = 0;
      let posCount = 0;
      for (let k = 0; k < b; k++) {
        sum += Math.exp((logits[first + k * stride] as number) - max);
        posCount += positive[first + k * stride] as number;
      }
      const logSum = max + Math.log(sum);
      for (let k = 0; k < b; k++) {
        const idx = first + k * stride;
        const p = Math.exp((logits[idx] as number) - logSum);
        const q = (positive[idx] as number) / posCount;
        if (q > 0) loss -= q * ((logits[idx] as number) - logSum);
        grad[idx]! += (p - q) / (2 * b);
      }
    }
  }
  // d logits / d similarity = 1 / tau.
  for (let i = 0; i < grad.length; i++) grad[i] = (grad[i] as number) / s.tau;

  const dzi = matmul(grad, zt, b, b, d);
  const dzt = matmulTransA(grad, zi, b, b, d);
  normalizeRowsBackward(zi, dzi, normsI, b, d);
  normalizeRowsBackward(zt, dzt, normsT, b, d);

  const dw2 = matmulTransA(h, dzi, b, hd, d);
  const dh = matmulTransB(dzi, w.w2, b, d, hd);
  for (let i = 0; i < dh.length; i++) if ((h[i] as number) === 0) dh[i] = 0;
  const dw1 = matmulTransA(x, dh, b, f, hd);
  const db1 = new Float32Array(hd);
  for (let i = 0; i < b; i++) for (let j = 0; j < hd; j++) db1[j]! += dh[i * hd + j] as number;
  const dtext = new Float32Array(w.textWeights.length);
  texts.forEach((t, i) => {
    for (let k = 0; k < t.indices.length; k++) {
      const row = (t.indices[k] as number) * d;
      const v = t.values[k] as number;
      for (let j = 0; j < d; j++) dtext[row + j]! += v * (dzt[i * d + j] as number);
    }
  });
  params.w1.step(dw1, s.rate);
  params.b1.step(db1, s.rate);
  params.w2.step(dw2, s.rate);
  params.text.step(dtext, s.rate);
  return loss / (2 * b);
}

/** b x b 0/1 matrix: 1 where two items' caption views are the same text, always on the diagonal. */
function positives(texts: readonly SparseText[]): Float32Array {
  const b = texts.length;
  const keys = texts.map(keyOf);
  const out = new Float32Array(b * b);
  for (let i = 0; i < b; i++) {
    out[i * b + i] = 1;
    for (let j = i + 1; j < b; j++) {
      if (keys[i] === keys[j]) {
        out[i * b + j] = 1;
        out[j * b + i] = 1;
      }
    }
  }
  return out;
}

const captionKeys = new WeakMap<SparseText, string>();

function keyOf(text: SparseText): string {
  let key = captionKeys.get(text);
  if (key === undefined) {
    key = `${text.indices.join(',')}|${text.values.join(',')}`;
    captionKeys.set(text, key);
  }
  return key;
}

/** Mean and inverse standard deviation of every feature over all views (a constant feature gets scale 0). */
function featureMoments(views: readonly (readonly Float32Array[])[], f: number): { mean: Float32Array; scale: Float32Array } {
  const sum = new Float64Array(f);
  const sumSq = new Float64Array(f);
  let count = 0;
  for (const item of views) {
    for (const row of item) {
      if (row.length !== f) throw new ValidationError(`image feature rows differ in length: ${row.length} vs ${f}`);
      for (let j = 0; j < f; j++) {
        const v = row[j] as number;
        sum[j]! += v;
        sumSq[j]! += v * v;
      }
      count++;
    }
  }
  const mean = new Float32Array(f);
  const scale = new Float32Array(f);
  for (let j = 0; j < f; j++) {
    const m = (sum[j] as number) / count;
    const variance = Math.max(0, (sumSq[j] as number) / count - m * m);
    mean[j] = m;
    scale[j] = variance > 1e-10 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean, scale };
}

function gaussian(random: Random, length: number, std: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = random.normal() * std;
  return out;
}
