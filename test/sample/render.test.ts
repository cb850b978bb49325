import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { STYLES, type Style } from '../../sample/constants';
import { planImage } from '../../sample/plan';
import { renderImage } from '../../sample/render';
import { PIXEL_PALETTE } from '../../sample/styles/pixel-art';

interface Pixels {
  data: Buffer;
  width: number;
}

async function pixels(style: Style, variant = 1): Promise<Pixels> {
  const png = await renderImage(planImage(42, style, 'dog', variant));
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  expect([info.width, info.height, info.channels]).toEqual([256, 256, 3]);
  return { data, width: info.width };
}

function meanLuma({ data }: Pixels): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 3) sum += 0.299 * (data[i] as number) + 0.587 * (data[i + 1] as number) + 0.114 * (data[i + 2] as number);
  return sum / (data.length / 3);
}

function colours({ data }: Pixels): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < data.length; i += 3) out.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
  return out;
}

const share = ({ data }: Pixels, test: (r: number, g: number, b: number) => boolean): number => {
  let n = 0;
  for (let i = 0; i < data.length; i += 3) if (test(data[i] as number, data[i + 1] as number, data[i + 2] as number)) n++;
  return n / (data.length / 3);
};

describe('renderImage', () => {
  it('renders pixel art from at most 16 palette colours in 8x8 blocks', async () => {
    const img = await pixels('pixel-art');
    const palette = new Set(PIXEL_PALETTE.map((h) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16)).join(',')));
    const used = colours(img);
    expect(used.size).toBeLessThanOrEqual(16);
    expect([...used].every((c) => palette.has(c))).toBe(true);
    let blocky = true;
    for (let y = 0; y < 256 && blocky; y++) {
      for (let x = 0; x < 256; x++) {
        const i = (y * 256 + x) * 3;
        const j = ((y - (y % 8)) * 256 + (x - (x % 8))) * 3;
        if (img.data[i] !== img.data[j] || img.data[i + 1] !== img.data[j + 1] || img.data[i + 2] !== img.data[j + 2]) blocky = false;
      }
    }
    expect(blocky).toBe(true);
  });

  it('renders neon punk dark with bright saturated strokes, and the soft styles light', async () => {
    const neon = await pixels('neon-punk');
    expect(meanLuma(neon)).toBeLessThan(70);
    expect(share(neon, (r, g, b) => Math.max(r, g, b) - Math.min(r, g, b) > 150 && Math.max(r, g, b) > 200)).toBeGreaterThan(0.01);
    expect(meanLuma(await pixels('watercolor'))).toBeGreaterThan(120);
    expect(meanLuma(await pixels('origami-clay'))).toBeGreaterThan(140);
  });

  it('gives comic images thick black ink and photos thousands of smoothly shaded colours', async () => {
    const comic = await pixels('comic');
    expect(share(comic, (r, g, b) => r < 40 && g < 40 && b < 40)).toBeGreaterThan(0.05);
    expect(colours(await pixels('photo')).size).toBeGreaterThan(5000);
  });

  it('produces identical bytes for the same plan and different images across styles', async () => {
    const a = await renderImage(planImage(42, 'watercolor', 'fish', 4));
    const b = await renderImage(planImage(42, 'watercolor', 'fish', 4));
    expect(a.equals(b)).toBe(true);
    const all = await Promise.all(STYLES.map((s) => renderImage(planImage(42, s, 'fish', 4))));
    expect(new Set(all.map((x) => x.toString('base64'))).size).toBe(STYLES.length);
  });
});
