/**
 * The operator CLI's command line: commands, their flags and words, and the mode (local or AWS). Flags may come
 * before or after the words; every mistake is a ValidationError that carries the usage on the same line.
 */
import { parseFlags, wholeNumberFlag } from '../core/cli-args';
import { ValidationError } from '../core/errors';
import { assertScheduleExpression } from '../core/retraining-schedule';

const MODE_FLAGS = {
  local: { type: 'boolean' },
  aws: { type: 'boolean' },
  stack: { type: 'string' },
  'state-machine': { type: 'string' },
  region: { type: 'string' },
  state: { type: 'string' },
  data: { type: 'string' },
} as const;

type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>;

export const COMMANDS = {
  run: { usage: 'run [--follow] [--input FILE] [--k N]', flags: { follow: { type: 'boolean' }, input: { type: 'string' }, k: { type: 'string' } }, words: [0, 0] },
  status: { usage: 'status [EXECUTION]', flags: {}, words: [0, 1] },
  history: { usage: 'history [--limit N]', flags: { limit: { type: 'string' } }, words: [0, 0] },
  schedule: { usage: 'schedule show | enable | disable | set "<expression>"', flags: {}, words: [1, 2] },
  teardown: { usage: 'teardown [--yes]', flags: { yes: { type: 'boolean' } }, words: [0, 0] },
} as const satisfies Record<string, { usage: string; flags: FlagSpec; words: readonly [number, number] }>;

export type CommandName = keyof typeof COMMANDS;
const MODE_USAGE = '[--local [--state DIR] [--data DIR] | --aws [--stack NAME | --state-machine ARN] [--region R]]';
export const USAGE = `usage: npm run cli -- ${Object.values(COMMANDS).map((c) => c.usage).join(' | ')} ${MODE_USAGE}`;
export const commandUsage = (name: CommandName): string => `usage: npm run cli -- ${COMMANDS[name].usage} ${MODE_USAGE}`;
const SCHEDULE_ACTIONS = ['show', 'enable', 'disable', 'set'] as const;

export interface CommandLine {
  readonly command: CommandName;
  /** Words after the command: the execution of `status`, the action and expression of `schedule`. */
  readonly words: readonly string[];
  readonly mode: 'local' | 'aws';
  readonly follow: boolean;
  readonly input?: string;
  readonly k?: number;
  readonly limit: number;
  readonly yes: boolean;
  readonly stack?: string;
  readonly stateMachine?: string;
  readonly region?: string;
  readonly state?: string;
  readonly data?: string;
}

/** Flags may come before or after the command words; every mistake is a ValidationError carrying the usage. */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  const { words, flags } = splitWords(argv);
  const [name, ...rest] = words;
  if (name === undefined) throw new ValidationError(`a command is required; ${USAGE}`, { field: 'command' });
  if (!Object.hasOwn(COMMANDS, name)) throw new ValidationError(`unknown command "${name}"; ${USAGE}`, { field: 'command' });
  const command = name as CommandName;
  const spec = COMMANDS[command];
  const usage = commandUsage(command);
  const options: FlagSpec = { ...MODE_FLAGS, ...spec.flags };
  const values = flagValues(flags, options, usage);
  const [fewest, most] = spec.words;
  if (command === 'schedule' && rest.length === 0) throw new ValidationError(`schedule needs an action: show, enable, disable or set; ${usage}`, { field: 'schedule' });
  if (rest.length < fewest || rest.length > most) throw new ValidationError(`unexpected arguments "${rest.join(' ')}"; ${usage}`, { field: 'command' });
  if (command === 'schedule') {
    const action = rest[0] as string;
    if (!(SCHEDULE_ACTIONS as readonly string[]).includes(action)) throw new ValidationError(`unknown schedule action "${action}"; ${usage}`, { field: 'schedule' });
    if ((action === 'set') !== (rest.length === 2)) {
      throw new ValidationError(action === 'set' ? `schedule set needs an expression, e.g. "rate(7 days)"; ${usage}` : `schedule ${action} takes no expression; ${usage}`, { field: 'schedule' });
    }
    // Checked here so a typo costs no AWS call.
    if (action === 'set') assertScheduleExpression(rest[1], 'expression');
  }
  const text = (flag: string): string | undefined => values[flag] as string | undefined;
  if (values.local && values.aws) throw new ValidationError(`--local and --aws cannot be used together; ${usage}`, { field: 'mode' });
  const awsHinted = text('stack') !== undefined || text('state-machine') !== undefined || Boolean(env.IMAGE_SEARCH_STACK?.trim());
  const mode = values.aws ? 'aws' : values.local ? 'local' : awsHinted ? 'aws' : 'local';
  const misplaced = mode === 'local' ? ['stack', 'state-machine', 'region'] : ['state', 'data', 'k'];
  const wrong = misplaced.find((flag) => values[flag] !== undefined);
  if (wrong) throw new ValidationError(`--${wrong} applies to ${mode === 'local' ? '--aws' : '--local'} mode only; ${usage}`, { field: wrong });
  const stack = text('stack') ?? (mode === 'aws' ? env.IMAGE_SEARCH_STACK?.trim() || undefined : undefined);
  return {
    command,
    words: rest,
    mode,
    follow: values.follow === true,
    yes: values.yes === true,
    limit: wholeNumberFlag('limit', text('limit'), { fallback: 10, min: 1, max: 1000 }),
    ...(text('k') !== undefined && { k: wholeNumberFlag('k', text('k'), { fallback: 48, min: 2, max: 500 }) }),
    ...(text('input') !== undefined && { input: text('input') }),
    ...(stack !== undefined && { stack }),
    ...(text('state-machine') !== undefined && { stateMachine: text('state-machine') }),
    ...(text('region') !== undefined && { region: text('region') }),
    ...(text('state') !== undefined && { state: text('state') }),
    ...(text('data') !== undefined && { data: text('data') }),
  };
}

/** parseFlags puts the usage on a line of its own; the CLI reports every error on one line. */
function flagValues(flags: readonly string[], options: FlagSpec, usage: string): Record<string, string | boolean | undefined> {
  try {
    return parseFlags(flags, options, usage) as Record<string, string | boolean | undefined>;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.message.replace(`\n${usage}`, `; ${usage}`), { field: 'flags', cause: error });
  }
}

const STRING_FLAGS = new Set(
  [MODE_FLAGS, ...Object.values(COMMANDS).map((c) => c.flags)].flatMap((flags: FlagSpec) => Object.entries(flags).filter(([, o]) => o.type === 'string').map(([f]) => `--${f}`)),
);

/** Separates the command words from the flags (and their values), which parseFlags then checks strictly. */
function splitWords(argv: readonly string[]): { words: string[]; flags: string[] } {
  const words: string[] = [];
  const flags: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      words.push(token);
      continue;
    }
    flags.push(token);
    if (STRING_FLAGS.has(token) && i + 1 < argv.length) flags.push(argv[++i] as string);
  }
  return { words, flags };
}
