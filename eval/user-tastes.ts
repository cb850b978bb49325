/** The simulated users' true tastes (the sample library's users.json), as the evaluation needs them. */
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../core/errors';

export interface UserTaste {
  readonly userId: string;
  readonly kind: string;
  /** The styles the user prefers now: the top-weighted ones (within half of the top weight), or the style switched to. */
  readonly preferredStyles: ReadonlySet<string>;
  readonly styleSwitch?: { readonly before: string; readonly after: string };
}

interface UsersFile {
  readonly users: readonly {
    readonly userId: string;
    readonly kind: string;
    readonly styles: Readonly<Record<string, number>>;
    readonly styleSwitch?: { readonly before: string; readonly after: string };
  }[];
}

export async function readUserTastes(path: string): Promise<Map<string, UserTaste>> {
  let file: UsersFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as UsersFile;
  } catch (cause) {
    throw new ValidationError(`cannot read the users' tastes from ${path}: ${(cause as Error).message}`, { field: 'users.json', cause });
  }
  if (!Array.isArray(file.users) || file.users.length === 0) throw new ValidationError(`${path} lists no users`, { field: 'users.json' });
  const tastes = new Map<string, UserTaste>();
  for (const user of file.users) {
    const styles = Object.entries(user.styles) as [string, number][];
    const top = Math.max(...styles.map(([, w]) => w));
    const preferred = user.styleSwitch
      ? new Set([user.styleSwitch.after])
      : new Set(styles.filter(([, w]) => w >= top / 2).map(([style]) => style));
    tastes.set(user.userId, {
      userId: user.userId,
      kind: user.kind,
      preferredStyles: preferred,
      ...(user.styleSwitch && { styleSwitch: { before: user.styleSwitch.before, after: user.styleSwitch.after } }),
    });
  }
  return tastes;
}
