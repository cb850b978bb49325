/** Silhouette descriptors of the local embedder's image features: foreground mask, object box, shape, radial profile. */
import { addOrientation, ORIENT_BINS, sqrtNormalised } from './image-planes';
import type { FeatureWriter, Gradients, Planes } from './image-planes';

export interface Box {
  readonly minX: number;
  readonly minY: number;
  /** Exclusive. */
  readonly maxX: number;
  readonly maxY: number;
}

/** Bounding box of the middle 90% of mask pixels on each axis, so stray specks do not stretch it. */
export function robustBox(mask: Uint8Array, w: number, h: number): Box {
  const cols = new Uint32Array(w);
  const rows = new Uint32Array(h);
  let area = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] !== 1) continue;
      cols[x]! += 1;
      rows[y]! += 1;
      area++;
    }
  }
  // Too little foreground to trust: describe the whole frame instead.
  if (area < 16) return { minX: 0, minY: 0, maxX: w, maxY: h };
  const range = (counts: Uint32Array): [number, number] => {
    const cut = area * 0.05;
    let lo = 0;
    for (let sum = 0; lo < counts.length - 1 && sum + (counts[lo] as number) <= cut; lo++) sum += counts[lo] as number;
    let hi = counts.length - 1;
    for (let sum = 0; hi > lo && sum + (counts[hi] as number) <= cut; hi--) sum += counts[hi] as number;
    return [lo, Math.max(hi + 1, lo + 4)];
  };
  const [minX, maxX] = range(cols);
  const [minY, maxY] = range(rows);
  return { minX, minY, maxX: Math.min(w, maxX), maxY: Math.min(h, maxY) };
}

/** HOG cells laid over the subject's own box: the same outline gives the same cells wherever it sits in the frame. */
export function objectOrientationFeatures(g: Gradients, w: number, box: Box, out: FeatureWriter): void {
  const grid = 4;
  const cells = new Float32Array(grid * grid * ORIENT_BINS);
  const bw = box.maxX - box.minX;
  const bh = box.maxY - box.minY;
  let total = 0;
  for (let y = box.minY; y < box.maxY; y++) {
    const cy = Math.min(grid - 1, Math.floor(((y - box.minY) / bh) * grid));
    for (let x = box.minX; x < box.maxX; x++) {
      const i = y * w + x;
      const m = g.mag[i] as number;
      if (m === 0) continue;
      total += m;
      addOrientation(g.angle[i] as number, m, cells, (cy * grid + Math.min(grid - 1, Math.floor(((x - box.minX) / bw) * grid))) * ORIENT_BINS);
    }
  }
  out.pushArray(sqrtNormalised(cells, total > 0 ? total : 1));
}

const SHAPE_GRID = 8;
const RADIAL_BINS = 16;

/**
 * Silhouette descriptors. The background colour is the median of the border; the foreground is every pixel whose
 * colour differs from it by more than an Otsu threshold. Its occupancy grid is taken inside its own bounding box,
 * so the shape reads the same wherever and at whatever size the subject is drawn.
 */
/**
 * Background colour per row from the pixels at both side edges (scenes are horizontal bands: sky gradient, horizon,
 * ground, and the subject keeps a margin from the sides); foreground = pixels farther from their row's background
 * than an Otsu threshold.
 */
export function segment(p: Planes): { mask: Uint8Array; threshold: number } {
  const { w, h } = p;
  const dist = new Float32Array(w * h);
  const edge = [0, 1, w - 2, w - 1];
  const values = new Float32Array(edge.length);
  const bg = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    const row = y * w;
    [p.r, p.g, p.b].forEach((plane, c) => {
      edge.forEach((x, k) => (values[k] = plane[row + x] as number));
      values.sort();
      bg[c] = ((values[1] as number) + (values[2] as number)) / 2;
    });
    for (let x = 0; x < w; x++) {
      const i = row + x;
      dist[i] =
        (Math.abs((p.r[i] as number) - (bg[0] as number)) +
          Math.abs((p.g[i] as number) - (bg[1] as number)) +
          Math.abs((p.b[i] as number) - (bg[2] as number))) /
        3;
    }
  }
  const threshold = Math.max(0.04, otsu(dist));
  const mask = new Uint8Array(w * h);
  for (let i = 0; i < mask.length; i++) if ((dist[i] as number) > threshold) mask[i] = 1;
  return { mask, threshold };
}

export function shapeFeatures(p: Planes, mask: Uint8Array, threshold: number, out: FeatureWriter): void {
  const { w, h } = p;
  const n = w * h;
  const bg = borderMedian(p);
  let area = 0;
  let sx = 0;
  let sy = 0;
  let minX = w;
  let minY = h;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] !== 1) continue;
      area++;
      sx += x;
      sy += y;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const grid = new Float32Array(SHAPE_GRID * SHAPE_GRID);
  const radial = new Float32Array(RADIAL_BINS);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let boundary = 0;
  if (area > 0) {
    const cx = sx / area;
    const cy = sy / area;
    const bw = maxX - minX + 1;
    const bh = maxY - minY + 1;
    const cellCount = new Float32Array(SHAPE_GRID * SHAPE_GRID);
    for (let y = minY; y <= maxY; y++) {
      const gy = Math.min(SHAPE_GRID - 1, Math.floor(((y - minY) / bh) * SHAPE_GRID));
      for (let x = minX; x <= maxX; x++) {
        const gi = gy * SHAPE_GRID + Math.min(SHAPE_GRID - 1, Math.floor(((x - minX) / bw) * SHAPE_GRID));
        cellCount[gi]! += 1;
        const i = y * w + x;
        if (mask[i] !== 1) continue;
        grid[gi]! += 1;
        const dx = x - cx;
        const dy = y - cy;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
        const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - w] || !mask[i + w];
        if (!edge) continue;
        boundary++;
        // The farthest point in a direction is always on the boundary, so only boundary pixels need the angle.
        const d = Math.sqrt(dx * dx + dy * dy);
        const bin = Math.min(RADIAL_BINS - 1, Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * RADIAL_BINS));
        if (d > (radial[bin] as number)) radial[bin] = d;
      }
    }
    for (let i = 0; i < grid.length; i++) grid[i] = (grid[i] as number) / Math.max(1, cellCount[i] as number);
    // Radial profile relative to its mean: a shape signature independent of scale.
    let meanR = 0;
    for (const r of radial) meanR += r;
    meanR /= RADIAL_BINS;
    for (let i = 0; i < RADIAL_BINS; i++) radial[i] = meanR > 0 ? (radial[i] as number) / meanR : 0;
    out.push(
      area / n,
      cx / w,
      cy / h,
      Math.sqrt(sxx / area) / w,
      Math.sqrt(syy / area) / h,
      sxy / area / (w * h),
      bw / w,
      bh / h,
      Math.log(bw / bh),
      area / (bw * bh),
      // Perimeter against area: compact blobs score low, spiky or thin shapes high.
      boundary / Math.sqrt(area) / 4,
    );
  } else {
    out.push(0, 0.5, 0.5, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  out.pushArray(grid);
  out.pushArray(radial);
  out.push(bg[0], bg[1], bg[2], threshold);
}

function borderMedian(p: Planes): [number, number, number] {
  const { w, h } = p;
  const idx: number[] = [];
  for (let x = 0; x < w; x++) idx.push(x, (h - 1) * w + x);
  for (let y = 1; y < h - 1; y++) idx.push(y * w, y * w + w - 1);
  const median = (plane: Float32Array): number => {
    const vals = idx.map((i) => plane[i] as number).sort((a, b) => a - b);
    return vals[vals.length >> 1] as number;
  };
  return [median(p.r), median(p.g), median(p.b)];
}

/** Otsu's threshold over values in [0, 1], 64 bins. */
function otsu(values: Float32Array): number {
  const bins = 64;
  const hist = new Float64Array(bins);
  for (const v of values) hist[Math.min(bins - 1, Math.floor(v * bins))]! += 1;
  const total = values.length;
  let sumAll = 0;
  for (let i = 0; i < bins; i++) sumAll += i * (hist[i] as number);
  let wB = 0;
  let sumB = 0;
  let best = 0;
  let bestVar = -1;
  for (let t = 0; t < bins; t++) {
    wB += hist[t] as number;
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += t * (hist[t] as number);
    const mB = sumB / wB;
    const mF = (sumAll - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > bestVar) {
      bestVar = between;
      best = t;
    }
  }
  return (best + 1) / bins;
}

