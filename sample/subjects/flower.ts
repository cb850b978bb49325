import type { Random } from '../../core/random';
import { ellipse, part, tube, curve, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'red', body: '#d8283a', secondary: '#3f8f3a', accent: '#f2c21c' },
  { name: 'pink', body: '#f07ab0', secondary: '#3f8f3a', accent: '#f6e05a' },
  { name: 'yellow', body: '#f5cc2a', secondary: '#4a9a3a', accent: '#6b4220' },
  { name: 'purple', body: '#8a4fc8', secondary: '#3a7f3a', accent: '#f2d21c' },
  { name: 'white', body: '#f4f2ec', secondary: '#4a8f3a', accent: '#f0b41c' },
];

/** Petals radiating round a disc on a long green stem with leaves. */
export function drawFlower(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const bend = rng.range(-10, 10);
  const head: Pt = [50 + bend, 32];
  const petals = pose === 0 ? 5 : pose === 1 ? 8 : 12;
  const petalLen = pose === 2 ? rng.range(14, 17) : rng.range(12, 15);
  const petalW = pose === 0 ? petalLen * 0.62 : pose === 1 ? petalLen * 0.42 : petalLen * 0.26;
  const turn = rng.range(0, 360);
  const parts: Part[] = [
    part('secondary', tube(curve([50, 94], [50 - bend, 62], head), 4.5, 3)),
    part('secondary', ellipse(50 - bend * 0.4 + 9, 70, 11, 4, -35)),
    part('secondary', ellipse(50 - bend * 0.4 - 9, 78, 10, 3.6, 35)),
  ];
  for (let i = 0; i < petals; i++) {
    const deg = turn + (360 * i) / petals;
    const a = (deg * Math.PI) / 180;
    const d = petalLen * 0.78;
    parts.push(part('body', ellipse(head[0] + Math.cos(a) * d, head[1] + Math.sin(a) * d, petalLen * 0.72, petalW, deg, 14)));
  }
  parts.push(part('accent', ellipse(head[0], head[1], pose === 2 ? 8 : 7, pose === 2 ? 8 : 7)));
  return { parts, colours: coloursFrom(scheme, { accent: scheme.accent ?? '#f2c21c', dark: '#2a5a2a' }), colourName: scheme.name, pose };
}
