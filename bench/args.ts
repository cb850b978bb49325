/** Command-line arguments of `npm run bench`; parsing is separate from running so tests can check it cheaply. */
import { parseFlags } from '../core/cli-args';
import { ValidationError } from '../core/errors';

export const SECTIONS = ['knn', 'serving', 'pipeline', 'memory'] as const;
export type Section = (typeof SECTIONS)[number];

export const USAGE = `usage: npm run bench -- [--json FILE] [--quick] [--only ${SECTIONS.join(',')}] [--data DIR]
  --json FILE   where the JSON results go (default ${'test-output/bench.json'})
  --quick       smaller sizes and fewer repetitions: a smoke run of about a minute, not numbers to quote
  --only LIST   run only these sections, comma-separated
  --data DIR    the sample library (default data/sample, generated there when missing; with --quick and no
                --data, a small library of 144 images generated into a temporary folder)`;

export interface BenchArgs {
  readonly json: string;
  readonly quick: boolean;
  /** In the order they run, which is always the order of SECTIONS. */
  readonly sections: readonly Section[];
  /** Undefined when not given: the full run then uses DEFAULT_DATA_DIR, the quick run a small temporary library. */
  readonly dataDir: string | undefined;
  readonly help: boolean;
}

export const DEFAULT_JSON = 'test-output/bench.json';
export const DEFAULT_DATA_DIR = 'data/sample';

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const values = parseFlags(
    argv,
    {
      json: { type: 'string' },
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    USAGE,
  );
  if (values.json !== undefined && values.json.trim() === '') throw new ValidationError(`--json needs a file name\n${USAGE}`, { field: 'json' });
  if (values.data !== undefined && values.data.trim() === '') throw new ValidationError(`--data needs a folder\n${USAGE}`, { field: 'data' });
  return {
    json: values.json ?? DEFAULT_JSON,
    quick: values.quick ?? false,
    sections: parseSections(values.only),
    dataDir: values.data,
    help: values.help ?? false,
  };
}

function parseSections(raw: string | undefined): Section[] {
  if (raw === undefined) return [...SECTIONS];
  const named = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (named.length === 0) throw new ValidationError(`--only needs at least one of ${SECTIONS.join(', ')}`, { field: 'only' });
  for (const name of named) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new ValidationError(`--only: unknown section "${name}"; choose from ${SECTIONS.join(', ')}`, { field: 'only' });
    }
  }
  return SECTIONS.filter((s) => named.includes(s));
}
