import type { Random } from '../../core/random';
import { ellipse, limb, part, tube, curve, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'chestnut', body: '#8b4a24', secondary: '#3a2012' },
  { name: 'black', body: '#2a2624', secondary: '#0e0c0b' },
  { name: 'white', body: '#e8e4dc', secondary: '#a8a090' },
  { name: 'bay', body: '#6e3f22', secondary: '#1a120c' },
  { name: 'grey', body: '#9a9a9e', secondary: '#4a4a4e' },
];

/** Long thin legs, a long neck and an elongated head: the horse is the tallest four-legged silhouette. */
function leg(x: number, y: number, footX: number): Part[] {
  return [part('body', limb(x, y, footX, 90, 6, 4.5), false), part('secondary', limb(footX, 88, footX, 93, 5.5, 5.5), false)];
}

export function drawHorse(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const by = 46;
  // Standing (0), galloping (1) with legs stretched out, grazing (2) with the head down.
  const gallop = pose === 1 ? 12 : 0;
  const grazing = pose === 2;
  const neckTop: Pt = grazing ? [84, 74] : [76, 18];
  const parts: Part[] = [
    part('secondary', tube(curve([22, by - 4], [8, by + 4 - gallop], [12, by + 30 - gallop * 1.5]), 6, 3)),
    ...leg(30, by + 6, 28 - gallop),
    ...leg(62, by + 6, 64 + gallop),
    part('body', ellipse(45, by, 25, 11)),
    ...leg(36, by + 6, 38 - gallop * 0.5),
    ...leg(56, by + 6, 56 + gallop * 0.5),
    part('body', limb(63, by - 2, neckTop[0], neckTop[1], 16, 9), false),
    part('secondary', tube(curve([60, by - 8], [neckTop[0] - 8, (by + neckTop[1]) / 2 - 4], [neckTop[0] - 4, neckTop[1] - 4]), 5, 4)),
  ];
  const headDeg = grazing ? 80 : 40;
  const [hx, hy] = grazing ? [neckTop[0] + 3, neckTop[1] + 9] : [neckTop[0] + 7, neckTop[1] + 5];
  parts.push(part('body', [[neckTop[0] - 3, neckTop[1] - 4], [neckTop[0], neckTop[1] - 10], [neckTop[0] + 2, neckTop[1] - 3]], false));
  parts.push(part('body', ellipse(hx, hy, rng.range(12, 14), 5.5, headDeg)));
  parts.push(part('eye', ellipse(neckTop[0] + (grazing ? 4 : 2), neckTop[1] + (grazing ? 2 : 1), 1.8, 1.8, 0, 10)));
  return { parts, colours: coloursFrom(scheme, { accent: '#c8a070', dark: scheme.secondary }), colourName: scheme.name, pose };
}
