/** Flag parsing shared by the command-line tools (dataset, pipeline, eval, bench): one shape of error for bad input. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flags, no positionals; an unknown or malformed flag is a ValidationError that ends with the usage line. */
export function parseFlags<const O extends Options>(argv: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (cause) {
    throw new ValidationError(`${(cause as Error).message}\n${usage}`, { cause });
  }
}

/** A whole-number flag in [min, max] (max optional), or the fallback when the flag is absent. */
export function wholeNumberFlag(flag: string, raw: string | undefined, range: { readonly fallback: number; readonly min: number; readonly max?: number }): number {
  if (raw === undefined) return range.fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ValidationError(`--${flag} must be a whole number, got "${raw}"`, { field: flag });
  const value = Number(raw);
  if (range.max === undefined ? value < range.min : value < range.min || value > range.max) {
    const expected = range.max === undefined ? `at least ${range.min}` : `from ${range.min} to ${range.max}`;
    throw new ValidationError(`--${flag} must be ${expected}, got ${raw}`, { field: flag });
  }
  return value;
}
