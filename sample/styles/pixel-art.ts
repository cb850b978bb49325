import { parseHex, withSaturationLightness } from '../colour';
import { polygonPath } from '../geometry';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

/** The PICO-8 palette: 16 colours, so every pixel-art image shares the same small set. */
export const PIXEL_PALETTE = [
  '#000000', '#1d2b53', '#7e2553', '#008751', '#ab5236', '#5f574f', '#c2c3c7', '#fff1e8',
  '#ff004d', '#ffa300', '#ffec27', '#00e436', '#29adff', '#83769c', '#ff77a8', '#ffccaa',
] as const;

export const PIXEL_GRID = 32;

/** Sky colour and the darker band above it, all palette entries. */
const SKIES: readonly (readonly [string, string])[] = [
  ['#29adff', '#1d2b53'], ['#c2c3c7', '#83769c'], ['#ffccaa', '#ff77a8'], ['#83769c', '#1d2b53'], ['#29adff', '#83769c'],
  ['#ffec27', '#ffa300'], ['#fff1e8', '#c2c3c7'],
];

const punchy = (c: string): string => withSaturationLightness(c, [0.6, 1], [0.25, 0.8]);

/** Flat blocky shapes with a one-pixel dark outline and a stepped sky; rasterised small, then snapped and upscaled. */
export const pixelArtStyle: StyleRenderer = {
  pixelate: { size: PIXEL_GRID, palette: PIXEL_PALETTE },
  paint(input: StyleInput) {
    const { size, scene, horizon, rng, colours } = input;
    // Two stepped sky bands from the palette, picked to stand apart from the subject's colour (a white horse
    // never vanishes into a pale sky).
    const body = parseHex(punchy(colours.body));
    const distance = (hex: string): number => {
      const c = parseHex(hex);
      return Math.abs(c[0] - body[0]) + Math.abs(c[1] - body[1]) + Math.abs(c[2] - body[2]);
    };
    const candidates = rng.shuffle(SKIES).slice(0, 3);
    const sky = candidates.reduce((best, c) => (distance(c[0]) > distance(best[0]) ? c : best));
    const bandY = rng.range(0.3, 0.5) * horizon;
    const bands = [
      `<rect x="0" y="0" width="${size}" height="${r1(horizon)}" fill="${sky[0]}"/>`,
      `<rect x="0" y="0" width="${size}" height="${r1(bandY)}" fill="${sky[1]}"/>`,
    ];
    const clouds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const x = rng.range(0, size - 60);
      const y = rng.range(10, Math.max(12, horizon - 60));
      clouds.push(`<rect x="${r1(x)}" y="${r1(y)}" width="56" height="16" fill="#fff1e8"/><rect x="${r1(x + 16)}" y="${r1(y - 8)}" width="24" height="8" fill="#fff1e8"/>`);
    }
    const ground = punchy(scene.ground);
    const subject = input.parts
      .map((p) => `<path d="${polygonPath(p.points)}" fill="${p.role === 'eye' ? '#000' : punchy(colours[p.role])}" stroke="#000" stroke-width="7" stroke-linejoin="miter"/>`)
      .join('');
    const svg = svgDocument(
      PIXEL_GRID,
      `<g shape-rendering="crispEdges">${bands.join('')}${clouds.join('')}` +
        `<rect x="0" y="${r1(horizon)}" width="${size}" height="${size}" fill="${ground}"/>` +
        `<g>${subject}</g></g>`,
      size,
    );
    return { svg };
  },
};
