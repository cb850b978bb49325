import { mix } from '../colour';
import { partPath, type PartRole } from '../geometry';
import { boxBlur } from '../textures';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

const NEON = ['#ff2bd6', '#22e8ff', '#8dff3a'] as const;

/** A dark night backdrop with a glowing perspective grid; the subject drawn as glowing magenta/cyan/lime strokes. */
export const neonPunkStyle: StyleRenderer = {
  paint(input: StyleInput) {
    const { size, horizon, rng, scene } = input;
    const first = rng.int(NEON.length);
    const neon = (k: number): string => NEON[(first + k) % NEON.length] as string;
    const roleColour: Record<PartRole, string> = { body: neon(0), secondary: neon(1), accent: neon(2), dark: neon(1), eye: '#ffffff' };
    const top = mix('#05010f', scene.skyTop, 0.12);
    const bottom = mix('#230a3c', scene.skyBottom, 0.1);
    const grid: string[] = [];
    const vx = rng.range(size * 0.3, size * 0.7);
    for (let i = 1; i <= 7; i++) {
      const y = horizon + (size - horizon) * Math.pow(i / 7, 1.8);
      grid.push(`M-10,${r1(y)}H${size + 10}`);
    }
    for (let i = -8; i <= 8; i++) grid.push(`M${r1(vx)},${r1(horizon)}L${r1(vx + i * 70)},${size + 10}`);
    const stars: string[] = [];
    for (let i = 0; i < 14; i++) {
      stars.push(`<circle cx="${r1(rng.range(0, size))}" cy="${r1(rng.range(0, horizon - 8))}" r="${r1(rng.range(0.6, 1.4))}" fill="#fff" opacity="${r1(rng.range(0.4, 0.9))}"/>`);
    }
    const gridColour = neon(1);
    const defs =
      `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${top}"/><stop offset="1" stop-color="${bottom}"/></linearGradient></defs>`;
    const paths = input.parts.map((p) => ({ d: partPath(p), colour: roleColour[p.role], eye: p.role === 'eye' }));
    const lines = paths
      .map((p) => `<path d="${p.d}" fill="${p.eye ? p.colour : '#0b0618'}" fill-opacity="${p.eye ? 1 : 0.9}" stroke="${p.colour}" stroke-width="2.6" stroke-linejoin="round"/>`)
      .join('');
    const svg = svgDocument(
      size,
      `${defs}<rect width="${size}" height="${size}" fill="url(#sky)"/>${stars.join('')}` +
        `<rect x="0" y="${r1(horizon)}" width="${size}" height="${size}" fill="#0a0314"/>` +
        `<path d="${grid.join('')}" stroke="${gridColour}" stroke-width="1.4" opacity="0.75"/><g>${lines}</g>`,
    );
    // Glow: add a wide blur of the picture back onto itself, so every bright stroke, grid line and star blooms.
    return {
      svg,
      post(pixels: Buffer, width: number) {
        // Only the bright strokes bloom, not the dark sky.
        const bright = Buffer.alloc(pixels.length);
        for (let i = 0; i < pixels.length; i++) bright[i] = Math.max(0, (pixels[i] as number) - 60);
        const halo = boxBlur(bright, width, 4, 2);
        for (let i = 0; i < pixels.length; i++) pixels[i] = Math.min(255, (pixels[i] as number) + 1.8 * (halo[i] as number));
      },
    };
  },
};
