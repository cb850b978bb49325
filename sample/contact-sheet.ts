/**
 * Contact sheet: one variant of every subject-style pair, rows = subjects, columns = styles, labelled.
 * `tsx sample/contact-sheet.ts [--out docs/contact-sheet.png] [--seed 42] [--variant 0] [--cell 160]`
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { DEFAULT_SEED, STYLES, SUBJECTS } from './constants';
import { planImage } from './plan';
import { renderImage } from './render';

export interface ContactSheetOptions {
  readonly out: string;
  /** @default 42 */
  readonly seed?: number;
  /** Which variant of each pair to show. @default 0 */
  readonly variant?: number;
  /** Cell size in pixels. @default 160 */
  readonly cell?: number;
}

const LABEL_W = 70;
const LABEL_H = 26;

function label(text: string, width: number, height: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${width / 2}" y="${height / 2 + 5}" ` +
      `font-family="DejaVu Sans, sans-serif" font-size="14" text-anchor="middle" fill="#222">${text}</text></svg>`,
  );
}

export async function makeContactSheet(opts: ContactSheetOptions): Promise<void> {
  const cell = opts.cell ?? 160;
  const seed = opts.seed ?? DEFAULT_SEED;
  const layers: OverlayOptions[] = [];
  for (const [c, style] of STYLES.entries()) {
    layers.push({ input: label(style, cell, LABEL_H), left: LABEL_W + c * cell, top: 0 });
  }
  for (const [r, subject] of SUBJECTS.entries()) {
    layers.push({ input: label(subject, LABEL_W, cell), left: 0, top: LABEL_H + r * cell });
    for (const [c, style] of STYLES.entries()) {
      const png = await renderImage(planImage(seed, style, subject, opts.variant ?? 0));
      const input = await sharp(png).resize(cell - 4, cell - 4).toBuffer();
      layers.push({ input, left: LABEL_W + c * cell + 2, top: LABEL_H + r * cell + 2 });
    }
  }
  await mkdir(dirname(opts.out), { recursive: true });
  const width = LABEL_W + STYLES.length * cell;
  const height = LABEL_H + SUBJECTS.length * cell;
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png({ palette: true, compressionLevel: 9 }).toFile(opts.out);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, seed: { type: 'string' }, variant: { type: 'string' }, cell: { type: 'string' } },
  });
  await makeContactSheet({
    out: values.out ?? 'docs/contact-sheet.png',
    seed: values.seed === undefined ? DEFAULT_SEED : Number(values.seed),
    variant: values.variant === undefined ? 0 : Number(values.variant),
    cell: values.cell === undefined ? 160 : Number(values.cell),
  });
}
