/** Texture descriptors of the local embedder's image features: LBP, Laplacian energy, edges, blockiness. */
import { sqrtNormalised } from './image-planes';
import type { FeatureWriter, Gradients, Planes } from './image-planes';

/** Maps an 8-bit LBP code to its rotation-invariant uniform class: 0..8 ones in a uniform ring, 9 otherwise. */
const LBP_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let code = 0; code < 256; code++) {
    let transitions = 0;
    let ones = 0;
    for (let k = 0; k < 8; k++) {
      const a = (code >> k) & 1;
      const b = (code >> ((k + 1) % 8)) & 1;
      if (a !== b) transitions++;
      ones += a;
    }
    table[code] = transitions <= 2 ? ones : 9;
  }
  return table;
})();

function lbpHistogram(plane: Float32Array, w: number, h: number): Float32Array {
  const hist = new Float32Array(10);
  // A small tolerance keeps flat areas (code 255 = uniform, 8 ones) from reading as noise.
  const tolerance = 2 / 255;
  let count = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const c = (plane[i] as number) + tolerance;
      // Neighbours clockwise from the top-left.
      const code =
        ((plane[i - w - 1] as number) >= c ? 1 : 0) |
        ((plane[i - w] as number) >= c ? 2 : 0) |
        ((plane[i - w + 1] as number) >= c ? 4 : 0) |
        ((plane[i + 1] as number) >= c ? 8 : 0) |
        ((plane[i + w + 1] as number) >= c ? 16 : 0) |
        ((plane[i + w] as number) >= c ? 32 : 0) |
        ((plane[i + w - 1] as number) >= c ? 64 : 0) |
        ((plane[i - 1] as number) >= c ? 128 : 0);
      hist[LBP_CLASS[code] as number]! += 1;
      count++;
    }
  }
  return sqrtNormalised(hist, Math.max(1, count));
}

/** LBP at two scales, Laplacian energy, edge density, blockiness (pixel art) and neon-stroke descriptors. */
export function textureFeatures(p: Planes, half: Float32Array, fine: Gradients, coarse: Gradients, out: FeatureWriter): void {
  const { w, h, gray } = p;
  out.pushArray(lbpHistogram(gray, w, h));
  out.pushArray(lbpHistogram(half, w >> 1, h >> 1));
  const lapFine = laplacianEnergy(gray, w, h);
  const lapCoarse = laplacianEnergy(half, w >> 1, h >> 1);
  out.push(Math.sqrt(lapFine), Math.sqrt(lapCoarse), lapFine / (lapFine + lapCoarse + 1e-6));
  let weak = 0;
  let strong = 0;
  let brightSatEdges = 0;
  for (let i = 0; i < w * h; i++) {
    const m = fine.mag[i] as number;
    if (m > 0.08) weak++;
    if (m > 0.3) {
      strong++;
      if ((p.sat[i] as number) > 0.5 && (p.val[i] as number) > 0.6) brightSatEdges++;
    }
  }
  let coarseStrong = 0;
  for (const m of coarse.mag) if (m > 0.3) coarseStrong++;
  out.push(weak / (w * h), strong / (w * h), coarseStrong / ((w * h) / 4), brightSatEdges / Math.max(1, strong));
  // Blockiness: neighbours are either equal or differ by a hard step, with little in between.
  let equal = 0;
  let step = 0;
  let ramp = 0;
  const { r, g, b } = p;
  const n = w * h;
  for (let i = 0; i < n; i++) {
    // Right neighbour (not across a row end), then the one below.
    for (let k = 0; k < 2; k++) {
      const j = k === 0 ? ((i + 1) % w === 0 ? -1 : i + 1) : i + w < n ? i + w : -1;
      if (j < 0) continue;
      const d = Math.max(
        Math.abs((r[i] as number) - (r[j] as number)),
        Math.abs((g[i] as number) - (g[j] as number)),
        Math.abs((b[i] as number) - (b[j] as number)),
      );
      if (d < 0.02) equal++;
      else if (d > 0.2) step++;
      else ramp++;
    }
  }
  const pairs = equal + step + ramp;
  out.push(equal / pairs, step / pairs, ramp / pairs, step / (step + ramp + 1));
}

function laplacianEnergy(plane: Float32Array, w: number, h: number): number {
  let sum = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const lap =
        4 * (plane[i] as number) -
        (plane[i - 1] as number) -
        (plane[i + 1] as number) -
        (plane[i - w] as number) -
        (plane[i + w] as number);
      sum += lap * lap;
    }
  }
  return sum / ((w - 2) * (h - 2));
}

