import type { Random } from '../../core/random';
import { ellipse, limb, part, type Part } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'green', body: '#3f8f3a', secondary: '#6b4a2e' },
  { name: 'dark green', body: '#2a6a34', secondary: '#5a3e26' },
  { name: 'autumn', body: '#d07a24', secondary: '#5e4028' },
  { name: 'blossoming', body: '#f0a8c8', secondary: '#6b4a3a' },
  { name: 'yellow-green', body: '#9ac23a', secondary: '#6b5a3a' },
];

/** A brown trunk under a crown: round (0), conifer (1) or tall poplar (2). */
export function drawTree(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const trunkW = rng.range(8, 12);
  const parts: Part[] = [];
  if (pose === 1) {
    parts.push(part('secondary', limb(50, 94, 50, 66, trunkW, trunkW * 0.8), false));
    const w = rng.range(30, 38);
    for (let i = 0; i < 3; i++) {
      const base = 74 - i * 19;
      const half = w * (1 - i * 0.24);
      parts.push(part('body', [[50 - half, base], [50, base - 30], [50 + half, base]], false));
    }
  } else {
    const top = pose === 2 ? 44 : 52;
    parts.push(part('secondary', limb(50, 94, 50, top, trunkW, trunkW * 0.6), false));
    parts.push(part('secondary', limb(50, top + 10, 36, top - 4, 4, 2), false));
    parts.push(part('secondary', limb(50, top + 6, 63, top - 6, 4, 2), false));
    if (pose === 2) {
      parts.push(part('body', ellipse(50, 30, rng.range(15, 19), 27)));
    } else {
      const r = rng.range(13, 16);
      const lobes: [number, number][] = [[-18, 0], [18, 0], [-9, -14], [9, -14], [0, 4], [0, -22]];
      for (const [dx, dy] of lobes) parts.push(part('body', ellipse(50 + dx, 38 + dy, r, r * 0.9)));
    }
  }
  return { parts, colours: coloursFrom(scheme, { accent: '#c83a2a', dark: '#2a4a22' }), colourName: scheme.name, pose };
}
