/**
 * Hand-made image descriptors for the local embedder: colour, gradient orientation, silhouette shape and texture,
 * computed from one small decoded copy of the image. Everything after the decode is a handful of linear passes over
 * 64x64 pixels, so extraction costs a fraction of the decode-and-resize it follows.
 */
import sharp from 'sharp';
import { FeatureWriter, gradients, halfScale, orientationFeatures, sqrtNormalised, toPlanes } from './image-planes';
import type { Planes } from './image-planes';
import { objectOrientationFeatures, robustBox, segment, shapeFeatures } from './shape-features';
import { textureFeatures } from './texture-features';

/** Names the descriptor layout below; a model trained on another layout is refused at load. Bump on any change. */
export const IMAGE_FEATURE_VERSION = 'handmade-v2';

/** Side of the square working copy every image is resized to before feature extraction. */
export const WORKING_SIZE = 64;

/** An RGB image as 0..1 floats, row-major, 3 values per pixel. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

/**
 * Decodes PNG/JPEG/WebP/... bytes and resizes to the working size. Throws (sharp's error) when the bytes do not
 * decode; callers turn that into a skip. Transparent pixels are composited on white so a cut-out reads as on paper.
 */
export async function decodeWorkingImage(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes)
    .resize(WORKING_SIZE, WORKING_SIZE, { fit: 'fill' })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return toRgb(data, info.width, info.height, info.channels);
}

function toRgb(raw: Uint8Array, width: number, height: number, channels: number): RgbImage {
  const n = width * height;
  const out = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) {
      // Grey (1 or 2 channel) inputs repeat their single channel.
      const src = channels >= 3 ? c : 0;
      out[p * 3 + c] = (raw[p * channels + src] as number) / 255;
    }
  }
  return { width, height, data: out };
}

/** Mirrors left-right: a cheap training augmentation, since the subjects face either way. */
export function flipHorizontal(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (y * width + (width - 1 - x)) * 3;
      out[to] = data[from] as number;
      out[to + 1] = data[from + 1] as number;
      out[to + 2] = data[from + 2] as number;
    }
  }
  return { width, height, data: out };
}

/** Decode + extract in one call. */
export async function extractImageFeatures(bytes: Uint8Array): Promise<Float32Array> {
  return imageFeatures(await decodeWorkingImage(bytes));
}

const HUE_BINS = 12;

/** The full descriptor of a decoded image (see IMAGE_FEATURE_LENGTH). Deterministic and always finite. */
export function imageFeatures(image: RgbImage): Float32Array {
  const planes = toPlanes(image);
  const out = new FeatureWriter();
  colourFeatures(planes, out);
  spatialColourFeatures(planes, out, 4);
  const half = halfScale(planes.gray, planes.w, planes.h);
  const gradFine = gradients(planes.gray, planes.w, planes.h);
  const gradCoarse = gradients(half, planes.w >> 1, planes.h >> 1);
  orientationFeatures(gradFine, planes.w, planes.h, 4, out);
  orientationFeatures(gradCoarse, planes.w >> 1, planes.h >> 1, 2, out);
  const { mask, threshold } = segment(planes);
  objectOrientationFeatures(gradFine, planes.w, robustBox(mask, planes.w, planes.h), out);
  shapeFeatures(planes, mask, threshold, out);
  textureFeatures(planes, half, gradFine, gradCoarse, out);
  return out.toArray();
}

/** Colour-name histogram, saturation/value histograms and global colour statistics. */
function colourFeatures(p: Planes, out: FeatureWriter): void {
  const n = p.w * p.h;
  // 4 grey levels for unsaturated pixels + 12 hues x {dark, bright} for saturated ones.
  const names = new Float32Array(4 + HUE_BINS * 2);
  const satHist = new Float32Array(5);
  const valHist = new Float32Array(6);
  let sumS = 0;
  let sumS2 = 0;
  let sumV = 0;
  let sumV2 = 0;
  let dark = 0;
  let brightSat = 0;
  const quantised = new Uint16Array(4096);
  const occupied: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = p.sat[i] as number;
    const v = p.val[i] as number;
    sumS += s;
    sumS2 += s * s;
    sumV += v;
    sumV2 += v * v;
    if (v < 0.25) dark++;
    if (v > 0.6 && s > 0.6) brightSat++;
    satHist[Math.min(4, Math.floor(s * 5))]! += 1;
    valHist[Math.min(5, Math.floor(v * 6))]! += 1;
    if (s < 0.2 || v < 0.12) {
      names[Math.min(3, Math.floor(v * 4))]! += 1;
    } else {
      // Soft hue binning so a hue on a bin edge does not flip between two bins.
      const pos = ((p.hue[i] as number) / 6) * HUE_BINS - 0.5;
      const lo = Math.floor(pos);
      const frac = pos - lo;
      const base = 4 + (v < 0.6 ? 0 : HUE_BINS);
      names[base + ((lo + HUE_BINS) % HUE_BINS)]! += 1 - frac;
      names[base + ((lo + 1) % HUE_BINS)]! += frac;
    }
    const key =
      (Math.min(15, Math.floor((p.r[i] as number) * 16)) << 8) |
      (Math.min(15, Math.floor((p.g[i] as number) * 16)) << 4) |
      Math.min(15, Math.floor((p.b[i] as number) * 16));
    if (quantised[key] === 0) occupied.push(key);
    quantised[key]! += 1;
  }
  out.pushArray(sqrtNormalised(names, n));
  out.pushArray(satHist, 1 / n);
  out.pushArray(valHist, 1 / n);
  const meanS = sumS / n;
  const meanV = sumV / n;
  const counts = occupied.map((key) => quantised[key] as number).sort((a, b) => b - a);
  let covered = 0;
  let colours90 = 0;
  let entropy = 0;
  for (const c of counts) {
    if (covered < 0.9 * n) colours90++;
    covered += c;
    const q = c / n;
    entropy -= q * Math.log2(q);
  }
  out.push(
    meanS,
    Math.sqrt(Math.max(0, sumS2 / n - meanS * meanS)),
    meanV,
    Math.sqrt(Math.max(0, sumV2 / n - meanV * meanV)),
    dark / n,
    brightSat / n,
    // Neon: a mostly dark frame carrying bright saturated strokes.
    Math.sqrt((dark / n) * (brightSat / n)),
    Math.log2(1 + counts.length) / 12,
    Math.log2(1 + colours90) / 12,
    entropy / 12,
  );
}

/** Mean brightness, saturation and two opponent colour axes on a grid x grid layout. */
function spatialColourFeatures(p: Planes, out: FeatureWriter, grid: number): void {
  const cells = new Float32Array(grid * grid * 4);
  const cw = p.w / grid;
  const ch = p.h / grid;
  for (let y = 0; y < p.h; y++) {
    const cy = Math.floor(y / ch);
    for (let x = 0; x < p.w; x++) {
      const i = y * p.w + x;
      const c = (cy * grid + Math.floor(x / cw)) * 4;
      const R = p.r[i] as number;
      const G = p.g[i] as number;
      const B = p.b[i] as number;
      cells[c]! += p.val[i] as number;
      cells[c + 1]! += p.sat[i] as number;
      cells[c + 2]! += R - G;
      cells[c + 3]! += (R + G) / 2 - B;
    }
  }
  out.pushArray(cells, 1 / (cw * ch));
}

/** The foreground mask (1 = subject) of a decoded image, as the shape descriptors see it. */
export function foregroundMask(image: RgbImage): Uint8Array {
  return segment(toPlanes(image)).mask;
}

/** Length of the vector imageFeatures returns. */
export const IMAGE_FEATURE_LENGTH = imageFeatures({
  width: WORKING_SIZE,
  height: WORKING_SIZE,
  data: new Float32Array(WORKING_SIZE * WORKING_SIZE * 3),
}).length;

