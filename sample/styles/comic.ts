import { hslToHex, hueOf, mix, parseHex, withSaturationLightness } from '../colour';
import { partPath } from '../geometry';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

const vivid = (c: string): string => withSaturationLightness(c, [0.75, 1], [0.35, 0.72]);

/**
 * Ben-Day dots on the flat backdrop colours only (the subject stays clean): pixels whose colour is one of the flat
 * backdrop fills and that fall inside a dot of a 45-degree lattice get darkened.
 */
function halftone(pixels: Buffer, width: number, flats: readonly string[], spacing: number): void {
  const targets = flats.map(parseHex);
  const radius2 = (spacing * 0.3) ** 2;
  for (let y = 0; y < width; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + y) * Math.SQRT1_2;
      const v = (x - y) * Math.SQRT1_2;
      const du = u - Math.round(u / spacing) * spacing;
      const dv = v - Math.round(v / spacing) * spacing;
      if (du * du + dv * dv > radius2) continue;
      const i = (y * width + x) * 3;
      const r = pixels[i] as number;
      const g = pixels[i + 1] as number;
      const b = pixels[i + 2] as number;
      if (!targets.some(([tr, tg, tb]) => Math.abs(r - tr) + Math.abs(g - tg) + Math.abs(b - tb) < 24)) continue;
      pixels[i] = r * 0.62;
      pixels[i + 1] = g * 0.62;
      pixels[i + 2] = b * 0.62;
    }
  }
}

/** Flat bright fills, thick black ink outlines, halftone dots and speed rays on the backdrop, a panel border. */
export const comicStyle: StyleRenderer = {
  paint(input: StyleInput) {
    const { size, scene, horizon, rng, colours, subjectBox: box } = input;
    // Pop-art backdrop in a hue well away from the subject's, so the figure always pops.
    const backdrop = hslToHex(hueOf(colours.body) + rng.range(110, 250), rng.range(0.8, 0.95), rng.range(0.6, 0.7));
    const ground = withSaturationLightness(scene.ground, [0.7, 1], [0.4, 0.6]);
    const rayColour = mix(backdrop, '#ffffff', 0.35);
    const cx = (box.minX + box.maxX) / 2;
    const cy = (box.minY + box.maxY) / 2;
    const rays: string[] = [];
    if (rng.next() < 0.5) {
      const n = 16;
      const turn = rng.range(0, Math.PI);
      for (let i = 0; i < n; i += 2) {
        const a0 = turn + (i / n) * Math.PI * 2;
        const a1 = turn + ((i + 1) / n) * Math.PI * 2;
        rays.push(
          `<path d="M${r1(cx)},${r1(cy)}L${r1(cx + Math.cos(a0) * 400)},${r1(cy + Math.sin(a0) * 400)}L${r1(cx + Math.cos(a1) * 400)},${r1(cy + Math.sin(a1) * 400)}Z"/>`,
        );
      }
    }
    const ink = 'stroke="#111" stroke-width="5" stroke-linejoin="round" stroke-linecap="round"';
    const subject = input.parts
      .map((p) => `<path d="${partPath(p)}" fill="${p.role === 'eye' ? '#111' : vivid(colours[p.role])}" ${ink}/>`)
      .join('');
    const svg = svgDocument(
      size,
      `<rect width="${size}" height="${size}" fill="${backdrop}"/><g fill="${rayColour}">${rays.join('')}</g>` +
        `<rect x="-5" y="${r1(horizon)}" width="${size + 10}" height="${size}" fill="${ground}" stroke="#111" stroke-width="4"/>` +
        `${subject}<rect x="2" y="2" width="${size - 4}" height="${size - 4}" fill="none" stroke="#111" stroke-width="6"/>`,
    );
    const spacing = rng.range(6.5, 8.5);
    return { svg, post: (pixels: Buffer, width: number) => halftone(pixels, width, [backdrop, rayColour, ground], spacing) };
  },
};
