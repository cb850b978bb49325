/**
 * `npm run dataset -- --out DIR [--seed N] [--per-pair N] [--force]`: render the sample image library.
 * `main(argv)` returns the exit code so tests can call it without spawning a process.
 */
import { pathToFileURL } from 'node:url';
import { parseFlags, wholeNumberFlag } from '../core/cli-args';
import { AppError, ValidationError } from '../core/errors';
import { DEFAULT_PER_PAIR, DEFAULT_SEED, MAX_PER_PAIR } from './constants';
import { generateSampleLibrary } from './generate';

const USAGE = 'usage: npm run dataset -- --out DIR [--seed N] [--per-pair N] [--force]';

export interface CliArgs {
  readonly out: string;
  readonly seed: number;
  readonly perPair: number;
  readonly force: boolean;
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const values = parseFlags(
    argv,
    { out: { type: 'string' }, seed: { type: 'string' }, 'per-pair': { type: 'string' }, force: { type: 'boolean', default: false } },
    USAGE,
  );
  if (!values.out) throw new ValidationError(`--out DIR is required\n${USAGE}`, { field: 'out' });
  return {
    out: values.out,
    seed: wholeNumberFlag('seed', values.seed, { fallback: DEFAULT_SEED, min: 0, max: 2 ** 32 - 1 }),
    perPair: wholeNumberFlag('per-pair', values['per-pair'], { fallback: DEFAULT_PER_PAIR, min: 1, max: MAX_PER_PAIR }),
    force: values.force ?? false,
  };
}

/** A single rewritten line on a terminal; a line every 10% when piped to a log. */
function progressReporter(stream: NodeJS.WriteStream): (done: number, total: number) => void {
  let lastDecile = -1;
  return (done, total) => {
    if (stream.isTTY) {
      stream.write(`\rrendering images ${done}/${total} (${Math.floor((100 * done) / total)}%)${done === total ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor((10 * done) / total);
    if (decile !== lastDecile) {
      lastDecile = decile;
      stream.write(`rendering images ${done}/${total}\n`);
    }
  };
}

export async function main(argv: readonly string[], io: { out: NodeJS.WriteStream; err: NodeJS.WriteStream } = { out: process.stdout, err: process.stderr }): Promise<number> {
  try {
    const args = parseCliArgs(argv);
    const result = await generateSampleLibrary({
      outDir: args.out,
      seed: args.seed,
      perPair: args.perPair,
      force: args.force,
      onProgress: progressReporter(io.err),
    });
    const types = ['view', 'favorite', 'download'].map((k) => [k, result.eventTypes[k] ?? 0] as const).map(([k, v]) => `${k} ${v}`).join(', ');
    io.out.write(
      `sample library written to ${result.outDir} in ${result.seconds.toFixed(1)} s\n` +
        `  images: ${result.images} (${args.perPair} per subject-style pair, seed ${args.seed})\n` +
        `  users: ${result.users} (${result.stats.usersWithAtLeastTwo} with >= 2 interactions)\n` +
        `  interactions: ${result.stats.interactions} (${types})\n`,
    );
    return 0;
  } catch (err) {
    // Expected failures get one clear line; anything else is a bug and keeps its stack.
    if (err instanceof AppError) {
      io.err.write(`dataset: ${err.message}\n`);
      return 2;
    }
    io.err.write(`dataset: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
