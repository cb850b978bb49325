import type { Random } from '../../core/random';
import { mix, parseHex, withSaturationLightness } from '../colour';
import { centroid, resample, smoothPath, type Pt } from '../geometry';
import { sharedNoise } from '../textures';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

const wash = (c: string): string => withSaturationLightness(c, [0.45, 0.85], [0.38, 0.74]);
const PAPER = '#f7f1e3';

/** Loose hand-painted edge: push the outline in and out along a wavy profile (cheaper than feDisplacementMap). */
function wobble(points: readonly Pt[], amount: number, rng: Random): Pt[] {
  const [cx, cy] = centroid(points);
  const pts = resample(points, Math.max(18, Math.min(48, points.length * 4)));
  const p1 = rng.range(0, 6.28);
  const p2 = rng.range(0, 6.28);
  const f1 = 2 + rng.int(3);
  const f2 = 5 + rng.int(4);
  return pts.map(([x, y], i) => {
    const t = (i / pts.length) * Math.PI * 2;
    const d = Math.hypot(x - cx, y - cy) || 1;
    const k = amount * (0.65 * Math.sin(f1 * t + p1) + 0.35 * Math.sin(f2 * t + p2));
    return [x + ((x - cx) / d) * k, y + ((y - cy) / d) * k] as Pt;
  });
}

/** Cold-press paper grain, loose translucent washes with wobbly bleeding edges and blotchy pigment. */
export const watercolorStyle: StyleRenderer = {
  paint(input: StyleInput) {
    const { size, scene, horizon, rng, colours } = input;
    const defs =
      `<defs><filter id="wash" x="-10%" y="-10%" width="120%" height="120%"><feGaussianBlur stdDeviation="5"/></filter>` +
      `<filter id="bleed" x="-10%" y="-10%" width="120%" height="120%"><feGaussianBlur stdDeviation="1.2"/></filter></defs>`;
    const skyRect: Pt[] = [[12, 8], [size - 12, 8], [size - 12, horizon - 4], [12, horizon - 4]];
    const groundRect: Pt[] = [[6, horizon + 6], [size - 6, horizon + 6], [size - 6, size - 8], [6, size - 8]];
    const backdrop =
      `<rect width="${size}" height="${size}" fill="${PAPER}"/><g filter="url(#wash)" opacity="0.5">` +
      `<path d="${smoothPath(wobble(skyRect, 10, rng))}" fill="${wash(scene.skyBottom)}"/>` +
      `<path d="${smoothPath(wobble(groundRect, 10, rng))}" fill="${wash(scene.ground)}"/></g>`;
    const layer = (amount: number, opacity: number): string =>
      input.parts
        .map((p) => {
          const c = p.role === 'eye' ? '#3a3040' : wash(colours[p.role]);
          return `<path d="${smoothPath(wobble(p.points, amount, rng))}" fill="${c}" fill-opacity="${opacity}" stroke="${mix(c, '#000', 0.25)}" stroke-opacity="0.35" stroke-width="1.6"/>`;
        })
        .join('');
    const dx = rng.range(-3, 3);
    const dy = rng.range(-3, 3);
    const svg = svgDocument(
      size,
      `${defs}${backdrop}<g filter="url(#bleed)">${layer(1.8, 0.6)}<g transform="translate(${r1(dx)},${r1(dy)})">${layer(3, 0.3)}</g></g>`,
    );
    const variant = rng.int(4);
    const shift = rng.int(size * size);
    return {
      svg,
      post(pixels: Buffer, width: number) {
        const blotch = sharedNoise(width, variant, 5, 3);
        const grain = sharedNoise(width, variant + 10, 48, 2);
        const [pr, pg, pb] = parseHex(PAPER);
        const n = width * width;
        for (let p = 0, i = 0; p < n; p++, i += 3) {
          const r = pixels[i] as number;
          const g = pixels[i + 1] as number;
          const b = pixels[i + 2] as number;
          // Pigment pools unevenly where there is paint; the paper's tooth shows everywhere.
          const paint = Math.min(1, (Math.abs(r - pr) + Math.abs(g - pg) + Math.abs(b - pb)) / 120);
          const k = 1 - paint * 0.35 * ((blotch[(p + shift) % n] as number) - 0.3) - 0.16 * (1 - (grain[(p + shift) % n] as number));
          pixels[i] = Math.min(255, r * k);
          pixels[i + 1] = Math.min(255, g * k);
          pixels[i + 2] = Math.min(255, b * k * 0.98);
        }
      },
    };
  },
};
