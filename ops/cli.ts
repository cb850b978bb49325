/**
 * `npm run cli -- <command>` (or `image-search <command>`): the operator's view of the retraining pipeline, the same on
 * AWS (Step Functions, EventBridge, the stack's outputs) and locally (the local runner on the state folder).
 *
 *   run [--follow] [--input FILE] [--k N]     start a run; --follow shows every state, Map progress and the outcome
 *   status [EXECUTION]                        the run in progress, else the latest (or the one named)
 *   history [--limit N]                       past runs with outcome, duration, generation and quality figures
 *   schedule show | enable | disable | set "<expression>"
 *   teardown [--yes]                          delete what runs left outside CloudFormation, after asking
 *
 * Mode: --local or --aws; without either, aws when --stack, --state-machine or IMAGE_SEARCH_STACK is given, else
 * local. PIPELINE_FAIL_AT="<state>" makes that state fail in a local run. IMAGE_SEARCH_DEBUG=1 adds stack traces.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import { parseFlags, wholeNumberFlag } from '../core/cli-args';
import { readConfig } from '../core/config';
import { AppError, ValidationError } from '../core/errors';
import { assertScheduleExpression } from '../core/retraining-schedule';
import type { ExecutionSummary, PipelineControl, RunEvent } from '../core/ports/pipeline-control';
import { readExecutionInputFile } from './execution-input-file';
import type { LocalPipelineControlProps } from './local-pipeline-control';
import { followLines, historyLines, outcomeLines, teardownPlanLines, teardownResultLines } from './run-display';

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Asks on the terminal and returns the answer; absent without one, and then teardown needs --yes. */
  readonly prompt?: (question: string) => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Local runner settings that are not operator flags (tests use fewer epochs). */
  readonly localTuning?: Pick<LocalPipelineControlProps, 'seed' | 'embedderEpochs' | 'embedBatchSize' | 'maxConcurrency'>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

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

const COMMANDS = {
  run: { usage: 'run [--follow] [--input FILE] [--k N]', flags: { follow: { type: 'boolean' }, input: { type: 'string' }, k: { type: 'string' } }, words: [0, 0] },
  status: { usage: 'status [EXECUTION]', flags: {}, words: [0, 1] },
  history: { usage: 'history [--limit N]', flags: { limit: { type: 'string' } }, words: [0, 0] },
  schedule: { usage: 'schedule show | enable | disable | set "<expression>"', flags: {}, words: [1, 2] },
  teardown: { usage: 'teardown [--yes]', flags: { yes: { type: 'boolean' } }, words: [0, 0] },
} as const satisfies Record<string, { usage: string; flags: FlagSpec; words: readonly [number, number] }>;

type CommandName = keyof typeof COMMANDS;
const MODE_USAGE = '[--local [--state DIR] [--data DIR] | --aws [--stack NAME | --state-machine ARN] [--region R]]';
export const USAGE = `usage: npm run cli -- ${Object.values(COMMANDS).map((c) => c.usage).join(' | ')} ${MODE_USAGE}`;
const commandUsage = (name: CommandName): string => `usage: npm run cli -- ${COMMANDS[name].usage} ${MODE_USAGE}`;
const SCHEDULE_ACTIONS = ['show', 'enable', 'disable', 'set'] as const;
const STATUS_WINDOW = 20;

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
export function parseCommandLine(argv: readonly string[], env: CliIo['env']): CommandLine {
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

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  if (argv.some((arg) => arg === '--help' || arg === '-h') || (argv.length === 1 && argv[0] === 'help')) {
    const command = argv.find((arg) => Object.hasOwn(COMMANDS, arg)) as CommandName | undefined;
    io.out(command ? commandUsage(command) : USAGE);
    return 0;
  }
  let line: CommandLine;
  try {
    line = parseCommandLine(argv, io.env);
  } catch (error) {
    io.err(`error: ${oneLine((error as Error).message)}`);
    return 2;
  }
  try {
    return await COMMAND_HANDLERS[line.command](line, io, () => connect(line, io));
  } catch (error) {
    return reportError(error, line.mode, io);
  }
}

type Handler = (line: CommandLine, io: CliIo, connect: () => Promise<PipelineControl>) => Promise<number>;

const COMMAND_HANDLERS: Readonly<Record<CommandName, Handler>> = {
  async run(line, io, connect) {
    // The input is checked before anything connects or starts, so a typo costs no execution.
    const input = line.input === undefined ? {} : await readExecutionInputFile(line.input);
    if (line.mode === 'local') await ensureLocalLibrary(line, io);
    const control = await connect();
    const started = await control.start(input);
    if (!line.follow && control.mode === 'aws') {
      io.out(started.id);
      return 0;
    }
    if (line.follow) io.out(`Started ${started.id}`);
    let outcome: ExecutionSummary | undefined;
    let previous: RunEvent | undefined;
    for await (const event of started.events()) {
      if (event.kind === 'finished') outcome = event.execution;
      if (line.follow) for (const text of followLines(event, previous)) io.out(text);
      previous = event;
    }
    if (!outcome) throw new AppError(`run ${started.id} stopped reporting before it ended: see "npm run cli -- status ${started.id}"`);
    if (!line.follow) for (const text of outcomeLines(outcome, now(io))) io.out(text);
    return outcome.status === 'SUCCEEDED' ? 0 : 1;
  },

  async status(line, io, connect) {
    const control = await connect();
    const [execution] = line.words;
    const summary = execution !== undefined ? await control.describe(execution) : current(await control.list(STATUS_WINDOW));
    if (!summary) {
      io.out('No runs yet: start one with "npm run cli -- run".');
      return 0;
    }
    for (const text of outcomeLines(summary, now(io))) io.out(text);
    return 0;
  },

  async history(line, io, connect) {
    const control = await connect();
    for (const text of historyLines(await control.list(line.limit), now(io))) io.out(text);
    return 0;
  },

  async schedule(line, io, connect) {
    const control = await connect();
    const [action, expression] = line.words;
    const state =
      action === 'enable' ? await control.setScheduleEnabled(true)
      : action === 'disable' ? await control.setScheduleEnabled(false)
      : action === 'set' ? await control.setScheduleExpression(expression as string)
      : await control.readSchedule();
    io.out(`Schedule ${state.name}: ${state.expression}, ${state.enabled ? 'enabled' : 'disabled'}`);
    if (action !== 'show') io.out('  The stack sets the schedule again at the next cdk deploy: put the same change in its config (schedule, scheduleEnabled) to keep it.');
    return 0;
  },

  async teardown(line, io, connect) {
    const control = await connect();
    const plan = await control.planTeardown();
    for (const text of teardownPlanLines(plan)) io.out(text);
    if (plan.length === 0) return 0;
    if (!line.yes) {
      if (!io.prompt) throw new AppError('teardown asks before deleting and there is no terminal to ask on: pass --yes to delete the items listed above');
      const answer = await io.prompt(`Delete these ${plan.length} items? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.out('Nothing deleted.');
        return 1;
      }
    }
    const result = await control.teardown(plan);
    for (const text of teardownResultLines(result)) io.out(text);
    return result.left.length > 0 ? 1 : 0;
  },
};

/** The run in progress if there is one, else the latest. */
function current(executions: readonly ExecutionSummary[]): ExecutionSummary | undefined {
  return executions.find((execution) => execution.status === 'RUNNING') ?? executions[0];
}

const now = (io: CliIo): Date => io.now?.() ?? new Date();

function localDirs(line: CommandLine, io: CliIo): { dataDir: string; stateDir: string; clusters: number } {
  // Only the local settings matter here, whatever APP_MODE the shell has for the server.
  const config = readConfig({ ...io.env, APP_MODE: 'local' });
  return { dataDir: resolve(line.data ?? config.local.dataDir), stateDir: resolve(line.state ?? config.local.stateDir), clusters: config.search.clusters };
}

/** Each mode's adapter is loaded only when used: local commands never load the AWS SDK, AWS ones never load hnswlib. */
async function connect(line: CommandLine, io: CliIo): Promise<PipelineControl> {
  if (line.mode === 'aws') {
    const { createAwsPipelineControl } = await import('../core/aws/aws-pipeline-control');
    return createAwsPipelineControl({
      ...(line.stack !== undefined && { stackName: line.stack }),
      ...(line.stateMachine !== undefined && { stateMachineArn: line.stateMachine }),
      ...(line.region !== undefined && { region: line.region }),
    });
  }
  const { dataDir, stateDir, clusters } = localDirs(line, io);
  const failAt = io.env.PIPELINE_FAIL_AT?.trim();
  const { LocalPipelineControl } = await import('./local-pipeline-control');
  return new LocalPipelineControl({ stateDir, dataDir, k: line.k ?? clusters, ...io.localTuning, ...(failAt && { failAt }) });
}

/** The sample library is built on first use, as `npm run pipeline` does; a folder passed with --data must be a library. */
async function ensureLocalLibrary(line: CommandLine, io: CliIo): Promise<void> {
  const { dataDir } = localDirs(line, io);
  if (await access(join(dataDir, 'manifest.jsonl')).then(() => true, () => false)) return;
  if (line.data !== undefined) throw new AppError(`${dataDir} has no manifest.jsonl: pass a library folder with --data, or omit it to use the sample`);
  io.out(`Building the sample library in ${dataDir} …`);
  const { generateSampleLibrary } = await import('../sample/generate');
  const result = await generateSampleLibrary({ outDir: dataDir });
  io.out(`  ${result.images} images, ${result.users} users in ${result.seconds.toFixed(1)} s`);
}

async function reportError(error: unknown, mode: 'local' | 'aws', io: CliIo): Promise<number> {
  let shown = error;
  if (mode === 'aws') {
    const { describeAwsError } = await import('../core/aws/aws-errors');
    shown = describeAwsError(error) ?? error;
  }
  // An AppError's message is written for the operator; anything else gets its class name as a hint (an SDK exception).
  const message = !(shown instanceof Error) ? String(shown) : shown instanceof AppError || shown.name === 'Error' ? shown.message : `${shown.name}: ${shown.message}`;
  io.err(`error: ${oneLine(message)}`);
  if (io.env.IMAGE_SEARCH_DEBUG === '1' && error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function processIo(): CliIo {
  const prompt = async (question: string): Promise<string> => {
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await terminal.question(question);
    } finally {
      terminal.close();
    }
  };
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    ...(process.stdin.isTTY && process.stderr.isTTY && { prompt }),
  };
}

/** The process entry, for `tsx ops/cli.ts` and bin/image-search.js. */
export async function runCli(): Promise<void> {
  // The SDK's multi-line "upgrade to Node 22" notice would break the one-line error contract on every AWS command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.exitCode = await main(process.argv.slice(2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void runCli();
