/** Pixel planes, gradients and the feature writer shared by the image descriptors (see image-features.ts). */
import type { RgbImage } from './image-features';

/** Per-pixel planes every image descriptor reads from. */
export interface Planes {
  readonly w: number;
  readonly h: number;
  readonly r: Float32Array;
  readonly g: Float32Array;
  readonly b: Float32Array;
  /** Hue in [0, 6), 0 for grey pixels. */
  readonly hue: Float32Array;
  readonly sat: Float32Array;
  readonly val: Float32Array;
  readonly gray: Float32Array;
}

export function toPlanes(image: RgbImage): Planes {
  const { width: w, height: h, data } = image;
  const n = w * h;
  const r = new Float32Array(n);
  const g = new Float32Array(n);
  const b = new Float32Array(n);
  const hue = new Float32Array(n);
  const sat = new Float32Array(n);
  const val = new Float32Array(n);
  const gray = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const R = data[p * 3] as number;
    const G = data[p * 3 + 1] as number;
    const B = data[p * 3 + 2] as number;
    r[p] = R;
    g[p] = G;
    b[p] = B;
    const max = Math.max(R, G, B);
    const min = Math.min(R, G, B);
    const c = max - min;
    val[p] = max;
    sat[p] = max > 0 ? c / max : 0;
    gray[p] = 0.299 * R + 0.587 * G + 0.114 * B;
    if (c > 0) {
      let hh: number;
      if (max === R) hh = (G - B) / c;
      else if (max === G) hh = (B - R) / c + 2;
      else hh = (R - G) / c + 4;
      hue[p] = hh < 0 ? hh + 6 : hh;
    }
  }
  return { w, h, r, g, b, hue, sat, val, gray };
}

/** Collects feature blocks; the layout is fixed so every image yields the same vector length. */
export class FeatureWriter {
  private readonly values: number[] = [];
  push(...xs: number[]): void {
    for (const x of xs) this.values.push(Number.isFinite(x) ? x : 0);
  }
  pushArray(xs: ArrayLike<number>, scale = 1): void {
    for (let i = 0; i < xs.length; i++) this.push((xs[i] as number) * scale);
  }
  toArray(): Float32Array {
    return Float32Array.from(this.values);
  }
}

export const ORIENT_BINS = 9;

export function sqrtNormalised(hist: Float32Array, total: number): Float32Array {
  const out = new Float32Array(hist.length);
  for (let i = 0; i < hist.length; i++) out[i] = Math.sqrt((hist[i] as number) / total);
  return out;
}

/** 2x2 box downsample of a plane. */
export function halfScale(plane: Float32Array, w: number, h: number): Float32Array {
  const hw = w >> 1;
  const hh = h >> 1;
  const out = new Float32Array(hw * hh);
  for (let y = 0; y < hh; y++) {
    for (let x = 0; x < hw; x++) {
      const i = 2 * y * w + 2 * x;
      out[y * hw + x] =
        ((plane[i] as number) + (plane[i + 1] as number) + (plane[i + w] as number) + (plane[i + w + 1] as number)) / 4;
    }
  }
  return out;
}

/**
 * Orientation in [0, pi) of the line through (gx, gy), from a polynomial arctangent (error under 0.0015 rad) since
 * Math.atan2 on every pixel costs more than the rest of the gradient pass.
 */
function unsignedAngle(gx: number, gy: number): number {
  if (gy < 0 || (gy === 0 && gx < 0)) {
    gx = -gx;
    gy = -gy;
  }
  // Now in the upper half plane; fold to [0, pi/4] and back.
  const ax = Math.abs(gx);
  if (ax === 0 && gy === 0) return 0;
  const swap = gy > ax;
  const t = swap ? ax / gy : gy / ax;
  const t2 = t * t;
  let a = t * (0.9998660 + t2 * (-0.3302995 + t2 * (0.1801410 + t2 * (-0.0851330 + t2 * 0.0208351))));
  if (swap) a = Math.PI / 2 - a;
  if (gx < 0) a = Math.PI - a;
  return a >= Math.PI ? 0 : a;
}

export interface Gradients {
  readonly mag: Float32Array;
  /** Unsigned orientation in [0, pi). */
  readonly angle: Float32Array;
}

/** Central differences, clamped at the border. */
export function gradients(plane: Float32Array, w: number, h: number): Gradients {
  const mag = new Float32Array(w * h);
  const angle = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1) * w;
    const down = Math.min(h - 1, y + 1) * w;
    for (let x = 0; x < w; x++) {
      const left = Math.max(0, x - 1);
      const right = Math.min(w - 1, x + 1);
      const gx = (plane[y * w + right] as number) - (plane[y * w + left] as number);
      const gy = (plane[down + x] as number) - (plane[up + x] as number);
      const i = y * w + x;
      mag[i] = Math.sqrt(gx * gx + gy * gy);
      angle[i] = unsignedAngle(gx, gy);
    }
  }
  return { mag, angle };
}

/**
 * Splits a gradient's magnitude between the two orientation bins nearest its unsigned angle (wrapping at pi), into
 * the histogram at `offset` and, when given, into `global` too.
 */
export function addOrientation(angle: number, m: number, hist: Float32Array, offset: number, global?: Float32Array): void {
  const pos = (angle / Math.PI) * ORIENT_BINS - 0.5;
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const b0 = (lo + ORIENT_BINS) % ORIENT_BINS;
  const b1 = (lo + 1) % ORIENT_BINS;
  hist[offset + b0]! += m * (1 - frac);
  hist[offset + b1]! += m * frac;
  if (global) {
    global[b0]! += m * (1 - frac);
    global[b1]! += m * frac;
  }
}

/**
 * HOG-like: magnitude-weighted orientation histograms per cell plus one global histogram. Normalised by the total
 * gradient mass so contrast does not matter, then square-rooted (Hellinger) so a few strong edges do not dominate.
 */
export function orientationFeatures(g: Gradients, w: number, h: number, grid: number, out: FeatureWriter): void {
  const cells = new Float32Array(grid * grid * ORIENT_BINS);
  const global = new Float32Array(ORIENT_BINS);
  const cw = w / grid;
  const ch = h / grid;
  let total = 0;
  for (let y = 0; y < h; y++) {
    const cy = Math.floor(y / ch);
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const m = g.mag[i] as number;
      if (m === 0) continue;
      total += m;
      addOrientation(g.angle[i] as number, m, cells, (cy * grid + Math.floor(x / cw)) * ORIENT_BINS, global);
    }
  }
  const denom = total > 0 ? total : 1;
  out.pushArray(sqrtNormalised(cells, denom));
  out.pushArray(sqrtNormalised(global, denom));
}

