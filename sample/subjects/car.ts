import type { Random } from '../../core/random';
import { ellipse, part, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'red', body: '#d0282e', secondary: '#a8d0f0' },
  { name: 'blue', body: '#2a5fc8', secondary: '#b8e0f8' },
  { name: 'yellow', body: '#f0c020', secondary: '#a8d0f0' },
  { name: 'silver', body: '#b8bcc2', secondary: '#5a7a9a' },
  { name: 'green', body: '#2e8a4e', secondary: '#b0d8f0' },
];

/** Side view: a long low body with a cabin on top and two big dark wheels. */
export function drawCar(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  // Sedan (0), van (1), low sports car (2).
  const roof = pose === 1 ? 22 : pose === 2 ? 40 : 32;
  const belt = pose === 2 ? 54 : 50;
  const [cabinL, cabinR] = pose === 1 ? [14, 74] : pose === 2 ? [40, 66] : [32, 70];
  const wheelR = rng.range(9, 11);
  const body: Pt[] = [
    [3, 66], [4, belt + 2], [cabinL - 6, belt - 2], [cabinL, roof], [cabinR, roof], [cabinR + 10, belt - 2],
    [95, belt + 1], [98, 58], [97, 66],
  ];
  const glassTop = roof + 3;
  const mid = (cabinL + cabinR) / 2;
  const parts: Part[] = [
    part('body', body, false),
    part('secondary', [[cabinL + 2, glassTop], [mid - 2, glassTop], [mid - 2, belt - 3], [cabinL - 3, belt - 3]], false),
    part('secondary', [[mid + 2, glassTop], [cabinR - 1, glassTop], [cabinR + 7, belt - 3], [mid + 2, belt - 3]], false),
    part('accent', ellipse(93, belt + 5, 3, 2.5, 0, 10)),
    part('dark', ellipse(24, 66, wheelR, wheelR, 0, 20)),
    part('dark', ellipse(76, 66, wheelR, wheelR, 0, 20)),
    part('eye', ellipse(24, 66, wheelR * 0.42, wheelR * 0.42, 0, 12)),
    part('eye', ellipse(76, 66, wheelR * 0.42, wheelR * 0.42, 0, 12)),
  ];
  return {
    parts,
    colours: coloursFrom(scheme, { accent: '#f8e08a', dark: '#1e1e22', eye: '#c8ccd2' }),
    colourName: scheme.name,
    pose,
  };
}
