import type { Random } from '../../core/random';
import { ellipse, limb, part, tube, curve, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'ginger', body: '#d9822b', secondary: '#f2c28a' },
  { name: 'grey', body: '#85898f', secondary: '#c9ccd0' },
  { name: 'black', body: '#2e2e33', secondary: '#5a5a62', dark: '#111111' },
  { name: 'white', body: '#eeeae2', secondary: '#cfc6b8' },
  { name: 'tabby', body: '#9a7652', secondary: '#d2b48c' },
];

/** Pointed triangular ears and a long thin tail are what make it read as a cat, not a dog. */
function ears(hx: number, hy: number, r: number, size: number): Part[] {
  const left: Pt[] = [[hx - r * 0.85, hy - r * 0.35], [hx - r * 0.75, hy - r - size], [hx - r * 0.1, hy - r * 0.85]];
  const right: Pt[] = [[hx + r * 0.1, hy - r * 0.9], [hx + r * 0.7, hy - r - size], [hx + r * 0.9, hy - r * 0.3]];
  return [part('body', left, false), part('body', right, false)];
}

export function drawCat(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const earSize = rng.range(8, 12);
  const parts: Part[] = [];
  if (pose === 1) {
    // Sitting, three-quarter view: upright body, tail curled along the ground.
    const tailUp = rng.range(40, 62);
    parts.push(part('body', tube(curve([38, 86], [8, 88], [12, tailUp]), 7, 4)));
    parts.push(part('body', ellipse(45, 64, 19, 25)));
    parts.push(part('secondary', ellipse(50, 68, 9, 16)));
    parts.push(part('body', limb(53, 70, 55, 91, 7, 7), false));
    parts.push(part('body', limb(43, 72, 42, 91, 7, 7), false));
    parts.push(...ears(50, 33, 14, earSize));
    parts.push(part('body', ellipse(50, 33, 14, 13)));
    parts.push(part('eye', ellipse(45, 31, 2, 2.5, 0, 10)));
    parts.push(part('eye', ellipse(55, 31, 2, 2.5, 0, 10)));
    parts.push(part('accent', [[48, 37], [52, 37], [50, 39.5]], false));
  } else {
    // Standing (0) or crouching with a lowered head (2): long body, four legs, tail raised.
    const low = pose === 2 ? 8 : 0;
    const tailTip: Pt = [rng.range(6, 16), rng.range(14, 30) + low];
    parts.push(part('body', tube(curve([26, 54 + low], [10, 50 + low], tailTip), 6, 4)));
    parts.push(part('body', limb(32, 62 + low, 30, 90, 7, 6), false));
    parts.push(part('body', limb(62, 62 + low, 64, 90, 7, 6), false));
    parts.push(part('body', ellipse(47, 58 + low, 26, 12 - low / 4)));
    parts.push(part('body', limb(38, 62 + low, 40, 90, 7, 6), false));
    parts.push(part('body', limb(57, 62 + low, 56, 90, 7, 6), false));
    const hx = 76;
    const hy = 42 + low * 1.2;
    parts.push(...ears(hx, hy, 12, earSize));
    parts.push(part('body', ellipse(hx, hy, 12, 11)));
    parts.push(part('secondary', ellipse(hx + 5, hy + 5, 6, 4)));
    parts.push(part('eye', ellipse(hx + 5, hy - 2, 2, 2.4, 0, 10)));
    parts.push(part('accent', [[hx + 10, hy + 2], [hx + 12.5, hy + 2], [hx + 11, hy + 4]], false));
  }
  return { parts, colours: coloursFrom(scheme, { accent: '#e58a9a', dark: '#222222' }), colourName: scheme.name, pose };
}
