import { createRandom } from '../core/random';
import { parseHex } from './colour';

/** Smooth value noise in [0,1], summed over octaves: paper fibres and pigment blotches without librsvg turbulence. */
export function valueNoise(width: number, seed: number, cells: number, octaves: number): Float32Array {
  const out = new Float32Array(width * width);
  let amp = 1;
  let total = 0;
  for (let o = 0; o < octaves; o++) {
    const n = cells << o;
    const rng = createRandom(seed + o * 7919);
    const grid = new Float32Array((n + 1) * (n + 1));
    for (let i = 0; i < grid.length; i++) grid[i] = rng.next();
    for (let y = 0; y < width; y++) {
      const gy = (y / width) * n;
      const y0 = Math.floor(gy);
      const ty = gy - y0;
      const sy = ty * ty * (3 - 2 * ty);
      for (let x = 0; x < width; x++) {
        const gx = (x / width) * n;
        const x0 = Math.floor(gx);
        const tx = gx - x0;
        const sx = tx * tx * (3 - 2 * tx);
        const i = y0 * (n + 1) + x0;
        const a = (grid[i] as number) + ((grid[i + 1] as number) - (grid[i] as number)) * sx;
        const b = (grid[i + n + 1] as number) + ((grid[i + n + 2] as number) - (grid[i + n + 1] as number)) * sx;
        out[y * width + x] = (out[y * width + x] as number) + (a + (b - a) * sy) * amp;
      }
    }
    total += amp;
    amp *= 0.5;
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / total;
  return out;
}

const noiseCache = new Map<string, Float32Array>();

/** A few shared noise fields, built once per process; images pick one by seed so each still varies. */
export function sharedNoise(width: number, variant: number, cells: number, octaves: number): Float32Array {
  const key = `${width}:${variant}:${cells}:${octaves}`;
  let field = noiseCache.get(key);
  if (!field) {
    field = valueNoise(width, 1000 + variant, cells, octaves);
    noiseCache.set(key, field);
  }
  return field;
}

/** Multiply every pixel by (1 - strength * (1 - noise)): darkens where the noise is low. */
export function multiplyNoise(pixels: Buffer, noise: Float32Array, strength: number, tint: string, offset = 0): void {
  const [tr, tg, tb] = parseHex(tint);
  const n = noise.length;
  for (let p = 0, i = 0; i < pixels.length; p++, i += 3) {
    const k = strength * (1 - (noise[(p + offset) % n] as number));
    pixels[i] = (pixels[i] as number) * (1 - k) + tr * k * 0.5;
    pixels[i + 1] = (pixels[i + 1] as number) * (1 - k) + tg * k * 0.5;
    pixels[i + 2] = (pixels[i + 2] as number) * (1 - k) + tb * k * 0.5;
  }
}

/** Fine per-pixel film grain, seeded. */
export function addGrain(pixels: Buffer, amount: number, seed: number): void {
  const rng = createRandom(seed);
  for (let i = 0; i < pixels.length; i += 3) {
    const g = (rng.next() + rng.next() - 1) * amount;
    pixels[i] = Math.max(0, Math.min(255, (pixels[i] as number) + g));
    pixels[i + 1] = Math.max(0, Math.min(255, (pixels[i + 1] as number) + g));
    pixels[i + 2] = Math.max(0, Math.min(255, (pixels[i + 2] as number) + g));
  }
}

/** Separable box blur of an RGB buffer, repeated `passes` times (three passes approximate a Gaussian). */
export function boxBlur(pixels: Buffer, width: number, radius: number, passes: number): Float32Array {
  const height = pixels.length / 3 / width;
  let src = Float32Array.from(pixels);
  let dst = new Float32Array(src.length);
  const norm = 1 / (2 * radius + 1);
  for (let p = 0; p < passes; p++) {
    for (const horizontal of [true, false]) {
      const lines = horizontal ? height : width;
      const len = horizontal ? width : height;
      const step = horizontal ? 3 : width * 3;
      for (let line = 0; line < lines; line++) {
        const base = horizontal ? line * width * 3 : line * 3;
        for (let c = 0; c < 3; c++) {
          let acc = 0;
          for (let k = -radius; k <= radius; k++) acc += src[base + Math.min(len - 1, Math.max(0, k)) * step + c] as number;
          for (let i = 0; i < len; i++) {
            dst[base + i * step + c] = acc * norm;
            const out = Math.max(0, i - radius);
            const inn = Math.min(len - 1, i + radius + 1);
            acc += (src[base + inn * step + c] as number) - (src[base + out * step + c] as number);
          }
        }
      }
      [src, dst] = [dst, src];
    }
  }
  return src;
}
