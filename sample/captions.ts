import type { Random } from '../core/random';
import type { Style, Subject } from './constants';

/**
 * Caption templates: {s} subject, {c} colour, {w} " <scene phrase>" or "". Most name the style with its own words
 * ("neon punk", "pixel art"); the rest use a synonym ("cyberpunk", "papercraft") so text search must generalise.
 */
const TEMPLATES: Readonly<Record<Style, { usual: readonly string[]; synonyms: readonly string[] }>> = {
  photo: {
    usual: ['a photo of a {s}{w}', 'photo of a {c} {s}{w}', 'a {s} photo{w}', 'photograph of a {s}{w}', 'a photograph of a {c} {s}'],
    synonyms: ['a realistic camera shot of a {s}{w}', 'a snapshot of a {c} {s}'],
  },
  comic: {
    usual: ['comic drawing of a {s}{w}', 'a comic {s}', 'comic book {s}{w}', 'a {c} {s} in comic style', 'comic art of a {s}{w}'],
    synonyms: ['cartoon {s} with bold ink outlines', 'pop art {s} with halftone dots'],
  },
  'neon-punk': {
    usual: ['a neon punk {s}', 'neon-punk {s}{w}', 'a glowing neon punk {c} {s}', 'neon punk style {s}{w}', 'neon-punk art of a {s}'],
    synonyms: ['cyberpunk {s} glowing in the dark', 'synthwave {s} with glowing lines'],
  },
  'origami-clay': {
    usual: ['origami clay {s}', 'an origami clay {c} {s}', 'origami clay sculpture of a {s}{w}', 'a folded origami clay {s}', 'origami-clay {s}{w}'],
    synonyms: ['low-poly papercraft {s}', 'folded paper {s} model{w}'],
  },
  watercolor: {
    usual: ['watercolor painting of a {s}{w}', 'a watercolor {s}', 'a {c} {s} in watercolor', 'watercolor sketch of a {s}{w}', 'watercolour {s}{w}'],
    synonyms: ['a soft aquarelle of a {s}{w}', 'a {s} painted in loose washes'],
  },
  'pixel-art': {
    usual: ['pixel art {s}', 'pixel art of a {c} {s}{w}', 'a pixel-art {s}', '8-bit pixel art {s}', 'retro pixel art {s}{w}'],
    synonyms: ['an 8-bit sprite of a {s}', 'retro game sprite of a {s}{w}'],
  },
};

const SYNONYM_SHARE = 0.15;

export function captionFor(style: Style, subject: Subject, colourName: string, scenePhrase: string, rng: Random): string {
  const t = TEMPLATES[style];
  const template = rng.next() < SYNONYM_SHARE ? rng.pick(t.synonyms) : rng.pick(t.usual);
  const where = rng.next() < 0.5 ? ` ${scenePhrase}` : '';
  const text = template.replaceAll('{s}', subject).replaceAll('{c}', colourName).replaceAll('{w}', where);
  // "a orange fish" -> "an orange fish".
  return text.replace(/\ba ([aeiou])/g, 'an $1');
}

/** Words that name each style; every caption contains one of them (or a listed synonym). */
export const STYLE_WORDS: Readonly<Record<Style, readonly string[]>> = {
  photo: ['photo', 'photograph', 'camera', 'snapshot'],
  comic: ['comic', 'cartoon', 'pop art'],
  'neon-punk': ['neon punk', 'neon-punk', 'cyberpunk', 'synthwave'],
  'origami-clay': ['origami clay', 'origami-clay', 'papercraft', 'folded paper'],
  watercolor: ['watercolor', 'watercolour', 'aquarelle', 'washes'],
  'pixel-art': ['pixel art', 'pixel-art', 'sprite'],
};
