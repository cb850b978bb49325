import type { Random } from '../../core/random';
import type { Box, Part } from '../geometry';
import type { Scene } from '../scenes';
import type { RoleColours } from '../subjects/types';

/** Everything a style needs to paint one image; parts are already placed in pixel coordinates. */
export interface StyleInput {
  readonly size: number;
  readonly parts: readonly Part[];
  readonly colours: RoleColours;
  readonly scene: Scene;
  /** Pixel row where the backdrop's ground starts. */
  readonly horizon: number;
  readonly subjectBox: Box;
  /** Seeded stream for the style's own choices (backdrop details, texture seeds). */
  readonly rng: Random;
}

export interface StylePainting {
  readonly svg: string;
  /**
   * Texture applied to the rasterised RGB pixels (grain, paper, halftone): far cheaper than SVG feTurbulence or
   * pattern fills, which cost tens of milliseconds per image in librsvg.
   */
  readonly post?: (pixels: Buffer, width: number) => void;
}

export interface StyleRenderer {
  paint(input: StyleInput): StylePainting;
  /** Pixel art: rasterise at `size`, snap every pixel to `palette`, upscale nearest-neighbour. */
  readonly pixelate?: { readonly size: number; readonly palette: readonly string[] };
}

export function svgDocument(size: number, body: string, viewSize = size): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${viewSize} ${viewSize}">${body}</svg>`;
}

export const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();
