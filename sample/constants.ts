/** The fixed vocabulary of the sample library; evaluation code and tests import these rather than re-typing them. */

export const SUBJECTS = ['cat', 'dog', 'bird', 'fish', 'horse', 'flower', 'tree', 'car'] as const;
export type Subject = (typeof SUBJECTS)[number];

export const STYLES = ['photo', 'comic', 'neon-punk', 'origami-clay', 'watercolor', 'pixel-art'] as const;
export type Style = (typeof STYLES)[number];

/** Hand-written users with known histories, for demos and evaluation. */
export const NAMED_USERS = ['comic-art-user', 'neon-punk-user', 'origami-clay-user', 'style-switch-user'] as const;
export type NamedUser = (typeof NAMED_USERS)[number];

export const IMAGE_SIZE = 256;
export const DEFAULT_SEED = 42;
export const DEFAULT_PER_PAIR = 20;
/** Upper bound on --per-pair: 48 pairs x 500 = 24,000 images is already far beyond a sample. */
export const MAX_PER_PAIR = 500;

/** Stable, readable id: `neon-punk-cat-007`. */
export function imageIdFor(style: Style, subject: Subject, variant: number): string {
  return `${style}-${subject}-${String(variant).padStart(3, '0')}`;
}

/** Where an image lives, relative to the library folder. */
export function imageKeyFor(style: Style, subject: Subject, variant: number): string {
  return `images/${style}/${subject}/${imageIdFor(style, subject, variant)}.png`;
}
