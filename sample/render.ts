import sharp from 'sharp';
import { createRandom } from '../core/random';
import { parseHex, type Rgb } from './colour';
import { IMAGE_SIZE } from './constants';
import type { ImagePlan } from './plan';
import { STYLE_RENDERERS } from './styles/registry';
import type { StylePainting } from './styles/types';

/** Fixed encoder settings: the same plan must give byte-identical PNGs on every run. */
const PNG_OPTIONS = { compressionLevel: 6, adaptiveFiltering: false } as const;

export function paintPlan(plan: ImagePlan): StylePainting {
  return STYLE_RENDERERS[plan.style].paint({
    size: IMAGE_SIZE,
    parts: plan.parts,
    colours: plan.colours,
    scene: plan.scene,
    horizon: plan.horizon,
    subjectBox: plan.subjectBox,
    rng: createRandom(plan.styleSeed),
  });
}

/** Snap each pixel to the nearest palette colour (redmean distance, closer to perception than plain RGB). */
function snapToPalette(pixels: Buffer, palette: readonly Rgb[]): void {
  for (let i = 0; i < pixels.length; i += 3) {
    const r = pixels[i] as number;
    const g = pixels[i + 1] as number;
    const b = pixels[i + 2] as number;
    let best = palette[0] as Rgb;
    let bestD = Infinity;
    for (const p of palette) {
      const rm = (r + p[0]) / 2;
      const d = (2 + rm / 256) * (r - p[0]) ** 2 + 4 * (g - p[1]) ** 2 + (2 + (255 - rm) / 256) * (b - p[2]) ** 2;
      if (d < bestD) {
        bestD = d;
        best = p;
      }
    }
    pixels[i] = best[0];
    pixels[i + 1] = best[1];
    pixels[i + 2] = best[2];
  }
}

/** Rasterise a plan to PNG bytes (256x256 RGB). */
export async function renderImage(plan: ImagePlan): Promise<Buffer> {
  const painting = paintPlan(plan);
  const svg = Buffer.from(painting.svg);
  const pixelate = STYLE_RENDERERS[plan.style].pixelate;
  if (!pixelate) {
    if (!painting.post) return sharp(svg).removeAlpha().png(PNG_OPTIONS).toBuffer();
    const raw = await sharp(svg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    painting.post(raw.data, raw.info.width);
    return sharp(raw.data, { raw: { width: raw.info.width, height: raw.info.height, channels: 3 } }).png(PNG_OPTIONS).toBuffer();
  }
  const small = await sharp(svg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  painting.post?.(small.data, small.info.width);
  snapToPalette(small.data, pixelate.palette.map(parseHex));
  return sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: 3 } })
    .resize(IMAGE_SIZE, IMAGE_SIZE, { kernel: 'nearest' })
    .png(PNG_OPTIONS)
    .toBuffer();
}
