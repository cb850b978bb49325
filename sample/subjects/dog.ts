import type { Random } from '../../core/random';
import { ellipse, limb, part, tube, curve, type Part } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'brown', body: '#8b5a2b', secondary: '#c49a6c', dark: '#4a2c14' },
  { name: 'golden', body: '#d4a24c', secondary: '#f0d39a', dark: '#8a5a20' },
  { name: 'black', body: '#2c2c2c', secondary: '#6b6b6b', dark: '#111111' },
  { name: 'spotted', body: '#f0ece4', secondary: '#c8b8a0', dark: '#5a3a22' },
  { name: 'grey', body: '#8c8c90', secondary: '#c4c4c8', dark: '#3c3c40' },
];

/** A dog's head: a long boxy snout with a nose and a floppy ear hanging down (never pointed ears). */
function head(hx: number, hy: number, snout: number, earTilt: number): Part[] {
  return [
    part('body', ellipse(hx, hy, 12, 11)),
    part('body', [[hx + 4, hy - 3], [hx + 10 + snout, hy - 1], [hx + 12 + snout, hy + 4], [hx + 10 + snout, hy + 8], [hx + 4, hy + 9]]),
    part('eye', ellipse(hx + 12 + snout, hy + 0.5, 3, 2.6, 0, 10)),
    part('eye', ellipse(hx + 3, hy - 4, 2, 2.2, 0, 10)),
    part('dark', ellipse(hx - 5, hy + 5, 5, 11, earTilt)),
  ];
}

export function drawDog(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const snout = rng.range(4, 9);
  const earTilt = rng.range(5, 25);
  const parts: Part[] = [];
  if (pose === 1) {
    // Sitting: haunch, upright chest, front legs straight.
    parts.push(part('body', tube(curve([30, 80], [18, 76], [14, 64]), 6, 4)));
    parts.push(part('body', ellipse(38, 76, 16, 14)));
    parts.push(part('body', ellipse(50, 60, 14, 22, 15)));
    parts.push(part('secondary', ellipse(56, 62, 7, 14, 15)));
    parts.push(part('body', limb(57, 70, 58, 92, 8, 7), false));
    parts.push(part('body', limb(49, 72, 48, 92, 8, 7), false));
    parts.push(...head(60, 34, snout, earTilt));
  } else {
    // Standing (0) or trotting (2) with legs apart and the tail up.
    const spread = pose === 2 ? 6 : 0;
    parts.push(part('body', tube(curve([22, 52], [14, 46], [rng.range(8, 14), rng.range(30, 40)]), 7, 4)));
    parts.push(part('body', limb(30, 62, 28 - spread, 92, 8, 7), false));
    parts.push(part('body', limb(64, 62, 66 + spread, 92, 8, 7), false));
    parts.push(part('body', ellipse(46, 57, 26, 14)));
    parts.push(part('secondary', ellipse(48, 63, 18, 6)));
    parts.push(part('body', limb(38, 62, 38 + spread, 92, 8, 7), false));
    parts.push(part('body', limb(58, 62, 56 - spread, 92, 8, 7), false));
    parts.push(part('body', limb(66, 52, 72, 40, 12, 10), false));
    parts.push(...head(72, 36, snout, earTilt));
  }
  return { parts, colours: coloursFrom(scheme, { accent: '#d04a4a', dark: '#3a2a1a' }), colourName: scheme.name, pose };
}
