import type { Random } from '../../core/random';
import type { Part, PartRole } from '../geometry';

/** Natural colours per part role, as #rrggbb; styles restyle them (pastel, neon, a fixed pixel palette). */
export type RoleColours = Readonly<Record<PartRole, string>>;

export interface SubjectDrawing {
  /** Back to front; in the 100x100 model frame, facing right. */
  readonly parts: readonly Part[];
  readonly colours: RoleColours;
  /** For captions: "a ginger cat". */
  readonly colourName: string;
  /** Which pose variant was drawn (for variety checks). */
  readonly pose: number;
}

export type SubjectDrawer = (rng: Random) => SubjectDrawing;

export interface ColourScheme {
  readonly name: string;
  readonly body: string;
  readonly secondary: string;
  readonly accent?: string;
  readonly dark?: string;
}

export function coloursFrom(s: ColourScheme, defaults: { accent: string; dark: string; eye?: string }): RoleColours {
  return {
    body: s.body,
    secondary: s.secondary,
    accent: s.accent ?? defaults.accent,
    dark: s.dark ?? defaults.dark,
    eye: defaults.eye ?? '#1a1a1a',
  };
}
