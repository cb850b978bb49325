import type { Random } from '../../core/random';
import { ellipse, part, type Part, type Pt } from '../geometry';
import { coloursFrom, type ColourScheme, type SubjectDrawing } from './types';

const SCHEMES: readonly ColourScheme[] = [
  { name: 'orange', body: '#f08a24', secondary: '#fff4e6' },
  { name: 'blue', body: '#2f7fd6', secondary: '#f5d142' },
  { name: 'yellow', body: '#f2cf2a', secondary: '#2a4a8a' },
  { name: 'red', body: '#d8343a', secondary: '#f6d0c0' },
  { name: 'purple', body: '#8a52c8', secondary: '#f2a0d0' },
];

export function drawFish(rng: Random): SubjectDrawing {
  const scheme = rng.pick(SCHEMES);
  const pose = rng.int(3);
  const ry = rng.range(14, 20);
  const rx = pose === 2 ? 34 : 30;
  const [cx, cy] = [52, 50];
  const tailX = cx - rx + 4;
  const fin = rng.range(12, 18);
  // The tail fin: forked (0), fan (1) or long streamer (2): always a big fin behind the body.
  const tail: Pt[] =
    pose === 0
      ? [[tailX, cy], [tailX - 20, cy - fin - 4], [tailX - 12, cy], [tailX - 20, cy + fin + 4]]
      : pose === 1
        ? [[tailX, cy - 3], [tailX - 18, cy - fin - 2], [tailX - 22, cy], [tailX - 18, cy + fin + 2], [tailX, cy + 3]]
        : [[tailX, cy], [tailX - 24, cy - fin], [tailX - 16, cy], [tailX - 24, cy + fin]];
  const parts: Part[] = [
    part('secondary', tail, false),
    part('secondary', [[cx - 12, cy - ry + 3], [cx - 2, cy - ry - fin * 0.8], [cx + 12, cy - ry + 2]], false),
    part('secondary', [[cx - 6, cy + ry - 3], [cx, cy + ry + 8], [cx + 8, cy + ry - 3]], false),
    part('body', ellipse(cx, cy, rx, ry, 0, 24)),
    // One band behind the gills: reads as a marking in every style without cluttering the outline.
    part('secondary', [[cx + rx * 0.3, cy - ry * 0.92], [cx + rx * 0.42, cy - ry * 0.8], [cx + rx * 0.42, cy + ry * 0.8], [cx + rx * 0.3, cy + ry * 0.92]]),
    part('dark', [[cx + 8, cy + 3], [cx - 6, cy - 1], [cx - 4, cy + 9]], false),
    part('eye', ellipse(cx + rx * 0.62, cy - ry * 0.25, 3.2, 3.2, 0, 12)),
  ];
  return { parts, colours: coloursFrom(scheme, { accent: '#ffffff', dark: scheme.secondary }), colourName: scheme.name, pose };
}
