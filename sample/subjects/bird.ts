import type { Random } from '../../core/random';
import { ellipse, limb, part, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'blue', body: '#3b6fd8', secondary: '#1f3f8a' },
  { name: 'red', body: '#c8322d', secondary: '#7a1c1a' },
  { name: 'yellow', body: '#e8c830', secondary: '#8a7420' },
  { name: 'green', body: '#4fa35a', secondary: '#2a6a34' },
  { name: 'brown', body: '#9a6a42', secondary: '#5a3a22' },
];

/**
 * Raised wing seen from the side: a long leading edge from the shoulder to the tip, then a scalloped trailing edge
 * of primary feathers back to the body, so it reads as a wing and not a leaf.
 */
function wing(root: Pt, span: number, sweep: number): Pt[] {
  const [rx, ry] = root;
  const tip: Pt = [rx + sweep, ry - span];
  const pts: Pt[] = [[rx + 9, ry], [rx + 6 + sweep * 0.4, ry - span * 0.55], tip];
  for (let i = 1; i <= 4; i++) {
    const t = i / 5;
    const x = tip[0] + (rx - 12 - tip[0]) * t;
    const y = tip[1] + (ry - 2 - tip[1]) * t;
    pts.push([x - 4, y + (i % 2 === 1 ? 6 : 1)]);
  }
  pts.push([rx - 12, ry - 2]);
  return pts;
}

export function drawBird(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const beakLen = rng.range(11, 16);
  const parts: Part[] = [];
  const perched = pose === 0;
  const tilt = perched ? -22 : -6;
  const [bx, by] = perched ? [48, 55] : [48, 58];
  const [hx, hy] = perched ? [70, 37] : [74, 50];
  // Tail feathers behind the body.
  parts.push(part('secondary', [[bx - 16, by + 4], [bx - 40, by + (perched ? 24 : 0)], [bx - 38, by + (perched ? 32 : 12)], [bx - 14, by + 10]], false));
  if (perched) {
    parts.push(part('dark', limb(16, 84, 92, 80, 5, 4), false));
    parts.push(part('accent', limb(46, 66, 44, 82, 2.5, 2), false));
    parts.push(part('accent', limb(54, 64, 56, 81, 2.5, 2), false));
  } else {
    parts.push(part('secondary', wing([bx + 4, by - 6], rng.range(34, 42), pose === 1 ? -22 : 10), false));
  }
  parts.push(part('body', ellipse(bx, by, 24, 14, tilt)));
  parts.push(part('body', ellipse(hx, hy, 11, 10)));
  parts.push(part('accent', [[hx + 8, hy - 3], [hx + 9 + beakLen, hy + 1], [hx + 8, hy + 5]], false));
  parts.push(part('eye', ellipse(hx + 3, hy - 2, 2.2, 2.2, 0, 10)));
  if (perched) parts.push(part('secondary', ellipse(bx - 4, by - 1, 17, 8, tilt - 6)));
  else parts.push(part('secondary', wing([bx - 2, by - 4], rng.range(30, 38), pose === 1 ? -30 : 2), false));
  return { parts, colours: coloursFrom(scheme, { accent: '#f09a1c', dark: '#6b4a2e' }), colourName: scheme.name, pose };
}
