import { createRandom, hashSeed } from '../core/random';
import { captionFor } from './captions';
import { IMAGE_SIZE, imageIdFor, imageKeyFor, STYLES, SUBJECTS, type Style, type Subject } from './constants';
import { boundsOf, placeParts, type Box, type Part } from './geometry';
import { pickScene, type Scene } from './scenes';
import { SUBJECT_DRAWERS } from './subjects/registry';
import type { RoleColours } from './subjects/types';

/** One image to render, fully decided up front so rendering order and concurrency cannot change any byte. */
export interface ImagePlan {
  readonly imageId: string;
  readonly key: string;
  readonly subject: Subject;
  readonly style: Style;
  readonly variant: number;
  readonly caption: string;
  readonly scene: Scene;
  readonly parts: readonly Part[];
  readonly colours: RoleColours;
  readonly subjectBox: Box;
  readonly horizon: number;
  /** Seed for the style's own choices. */
  readonly styleSeed: number;
}

/** Upright things (trees, flowers) tilt less than animals and cars. */
const MAX_TILT: Readonly<Record<Subject, number>> = { cat: 10, dog: 10, bird: 14, fish: 16, horse: 8, flower: 8, tree: 5, car: 6 };

/** Subject bounding box as a share of the frame: the subject stays the dominant object. */
export const AREA_SHARE: readonly [number, number] = [0.38, 0.66];
const MARGIN = 0.04;

export function planImage(seed: number, style: Style, subject: Subject, variant: number): ImagePlan {
  const rng = createRandom(hashSeed(`${seed}:${style}:${subject}:${variant}`));
  const drawing = SUBJECT_DRAWERS[subject](rng.fork('subject'));
  const scene = pickScene(subject, rng.fork('scene'));
  const place = rng.fork('place');
  const size = IMAGE_SIZE;
  const flip = place.next() < 0.5;
  const tilt = place.range(-1, 1) * MAX_TILT[subject];
  const unit = boundsOf(placeParts(drawing.parts, { flip, tilt, scale: 1, cx: 0, cy: 0 }));
  const w = unit.maxX - unit.minX;
  const h = unit.maxY - unit.minY;
  const share = place.range(AREA_SHARE[0], AREA_SHARE[1]);
  const fit = (size * (1 - 2 * MARGIN)) / Math.max(w, h);
  const scale = Math.min(Math.sqrt((share * size * size) / (w * h)), fit);
  const half = [(w * scale) / 2, (h * scale) / 2] as const;
  const cx = place.range(size * MARGIN + half[0], size * (1 - MARGIN) - half[0]);
  const cy = place.range(size * MARGIN + half[1], size * (1 - MARGIN) - half[1]);
  // Rotation moves the box centre off the model's centre: shift so the rotated box itself lands on (cx, cy).
  const offX = ((unit.minX + unit.maxX) / 2) * scale;
  const offY = ((unit.minY + unit.maxY) / 2) * scale;
  const parts = placeParts(drawing.parts, { flip, tilt, scale, cx: cx - offX, cy: cy - offY });
  const subjectBox = boundsOf(parts);
  const horizon = Math.min(size * 0.85, Math.max(size * 0.45, subjectBox.maxY - place.range(8, 40)));
  return {
    imageId: imageIdFor(style, subject, variant),
    key: imageKeyFor(style, subject, variant),
    subject,
    style,
    variant,
    caption: captionFor(style, subject, drawing.colourName, scene.phrase, rng.fork('caption')),
    scene,
    parts,
    colours: drawing.colours,
    subjectBox,
    horizon,
    styleSeed: hashSeed(`${seed}:${style}:${subject}:${variant}:style`),
  };
}

/** All images of a library, in a fixed order: style, then subject, then variant. */
export function planLibrary(seed: number, perPair: number): ImagePlan[] {
  const plans: ImagePlan[] = [];
  for (const style of STYLES) {
    for (const subject of SUBJECTS) {
      for (let v = 0; v < perPair; v++) plans.push(planImage(seed, style, subject, v));
    }
  }
  return plans;
}
