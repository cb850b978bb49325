import { darken, hslToHex, lighten, parseHex, rgbToHsl, withSaturationLightness } from '../colour';
import { centroid, polygonPath, type Part, type Pt } from '../geometry';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

const pastel = (c: string): string => withSaturationLightness(c, [0.3, 0.62], [0.52, 0.8]);

/** Fewer, straighter edges: an ellipse becomes a folded 8-sided shape. */
function lowPoly(points: readonly Pt[]): Pt[] {
  if (points.length <= 9) return points.slice();
  const step = Math.ceil(points.length / 8);
  return points.filter((_, i) => i % step === 0);
}

/** Light from the top left: each facet's brightness follows the direction its outer edge faces. */
function facets(p: Part, base: string, fold: number): string {
  const pts = lowPoly(p.points);
  const [cx, cy] = centroid(pts);
  const apex: Pt = [cx + fold, cy - fold];
  const out: string[] = [];
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i] as Pt;
    const b = pts[(i + 1) % pts.length] as Pt;
    const mx = (a[0] + b[0]) / 2 - cx;
    const my = (a[1] + b[1]) / 2 - cy;
    const len = Math.hypot(mx, my) || 1;
    const light = (-mx * 0.6 - my * 0.8) / len;
    const fill = light >= 0 ? lighten(base, light * 0.32) : darken(base, -light * 0.22);
    out.push(`<path d="${polygonPath([apex, a, b])}" fill="${fill}" stroke="${fill}" stroke-width="0.8" stroke-linejoin="round"/>`);
  }
  return out.join('');
}

/** Matte pastel paper/clay: faceted low-poly planes, a soft drop shadow, a plain folded-paper backdrop. */
export const origamiClayStyle: StyleRenderer = {
  paint(input: StyleInput) {
    const { size, scene, horizon, rng, colours } = input;
    // A pastel backdrop opposite the subject's hue, so a pale paper animal never melts into a pale wall.
    const [hue] = rgbToHsl(parseHex(colours.body));
    const wallHue = hue + 180 + rng.range(-40, 40);
    const wall = hslToHex(wallHue, rng.range(0.35, 0.55), rng.range(0.8, 0.87));
    const floor = hslToHex(wallHue + rng.range(-30, 30), rng.range(0.3, 0.5), rng.range(0.7, 0.78));
    void scene;
    const foldX = rng.range(size * 0.2, size * 0.8);
    const fold = rng.range(-3, 3);
    const defs = `<defs><filter id="shadow" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="5"/></filter></defs>`;
    const backdrop =
      `<rect width="${size}" height="${size}" fill="${wall}"/>` +
      `<path d="M${r1(foldX)},0L${size},0L${size},${r1(horizon)}L${r1(foldX + 30)},${r1(horizon)}Z" fill="${darken(wall, 0.06)}"/>` +
      `<rect x="0" y="${r1(horizon)}" width="${size}" height="${size}" fill="${floor}"/>` +
      `<path d="M0,${r1(horizon)}L${r1(foldX + 30)},${r1(horizon)}L${r1(foldX - 40)},${size}L0,${size}Z" fill="${lighten(floor, 0.08)}"/>`;
    const shadow = input.parts.map((p) => `<path d="${polygonPath(lowPoly(p.points))}"/>`).join('');
    const body = input.parts
      .map((p) => facets(p, p.role === 'eye' ? '#3a3440' : pastel(colours[p.role]), p.role === 'eye' ? 0 : fold))
      .join('');
    const svg = svgDocument(
      size,
      `${defs}${backdrop}<g transform="translate(7,9)" fill="#3a3040" opacity="0.35" filter="url(#shadow)">${shadow}</g>${body}`,
    );
    return { svg };
  },
};
