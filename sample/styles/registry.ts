import type { Style } from '../constants';
import { comicStyle } from './comic';
import { neonPunkStyle } from './neon-punk';
import { origamiClayStyle } from './origami-clay';
import { photoStyle } from './photo';
import { pixelArtStyle } from './pixel-art';
import type { StyleRenderer } from './types';
import { watercolorStyle } from './watercolor';

export const STYLE_RENDERERS: Readonly<Record<Style, StyleRenderer>> = {
  photo: photoStyle,
  comic: comicStyle,
  'neon-punk': neonPunkStyle,
  'origami-clay': origamiClayStyle,
  watercolor: watercolorStyle,
  'pixel-art': pixelArtStyle,
};
