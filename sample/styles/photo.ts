import { darken, lighten, mix } from '../colour';
import { partPath, type PartRole } from '../geometry';
import { addGrain } from '../textures';
import { r1, svgDocument, type StyleInput, type StyleRenderer } from './types';

const ROLES: readonly PartRole[] = ['body', 'secondary', 'accent', 'dark', 'eye'];

/** Natural colours, shaded bodies (light from the top left), a blurred backdrop, a contact shadow, film grain. */
export const photoStyle: StyleRenderer = {
  paint(input: StyleInput) {
    const { size, scene, horizon, subjectBox: box, rng, colours } = input;
    const gradients = ROLES.map((role) => {
      const c = colours[role];
      return `<radialGradient id="g-${role}" cx="0.35" cy="0.3" r="0.8"><stop offset="0" stop-color="${lighten(c, 0.3)}"/><stop offset="0.55" stop-color="${c}"/><stop offset="1" stop-color="${darken(c, 0.5)}"/></radialGradient>`;
    }).join('');
    // Out-of-focus background: soft-edged blobs (radial gradients fading to nothing) instead of a costly blur filter.
    const blobs: string[] = [];
    const blobDefs: string[] = [];
    for (let i = 0; i < 7; i++) {
      const tone = darken(mix(scene.skyBottom, scene.ground, rng.range(0.2, 0.9)), rng.range(0, 0.3));
      blobDefs.push(`<radialGradient id="b${i}"><stop offset="0.3" stop-color="${tone}" stop-opacity="0.85"/><stop offset="1" stop-color="${tone}" stop-opacity="0"/></radialGradient>`);
      blobs.push(
        `<ellipse cx="${r1(rng.range(0, size))}" cy="${r1(horizon - rng.range(-10, 50))}" rx="${r1(rng.range(25, 70))}" ry="${r1(rng.range(18, 45))}" fill="url(#b${i})"/>`,
      );
    }
    const defs =
      `<defs>${gradients}${blobDefs.join('')}` +
      `<linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${scene.skyTop}"/><stop offset="1" stop-color="${scene.skyBottom}"/></linearGradient>` +
      `<linearGradient id="ground" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${lighten(scene.ground, 0.15)}" stop-opacity="0"/><stop offset="0.25" stop-color="${lighten(scene.ground, 0.1)}"/><stop offset="1" stop-color="${darken(scene.ground, 0.35)}"/></linearGradient>` +
      `<radialGradient id="contact"><stop offset="0" stop-color="#000" stop-opacity="0.5"/><stop offset="1" stop-color="#000" stop-opacity="0"/></radialGradient>` +
      `<radialGradient id="vignette" cx="0.5" cy="0.5" r="0.75"><stop offset="0.6" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></radialGradient>` +
      `</defs>`;
    const backdrop =
      `<rect width="${size}" height="${size}" fill="url(#sky)"/>` +
      `${blobs.join('')}<rect x="0" y="${r1(horizon - 16)}" width="${size}" height="${r1(size - horizon + 16)}" fill="url(#ground)"/>`;
    const shadow = `<ellipse cx="${r1((box.minX + box.maxX) / 2)}" cy="${r1(box.maxY - 2)}" rx="${r1((box.maxX - box.minX) * 0.6)}" ry="12" fill="url(#contact)"/>`;
    const subject = input.parts.map((p) => `<path d="${partPath(p)}" fill="url(#g-${p.role})"/>`).join('');
    const svg = svgDocument(
      size,
      `${defs}${backdrop}${shadow}${subject}<rect width="${size}" height="${size}" fill="url(#vignette)"/>`,
    );
    const grainSeed = rng.int(1 << 30);
    return { svg, post: (pixels: Buffer) => addGrain(pixels, 10, grainSeed) };
  },
};
