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
import { readConfig } from '../core/config';
import { AppError } from '../core/errors';
import type { ExecutionSummary, PipelineControl, RunEvent } from '../core/ports/pipeline-control';
import { COMMANDS, commandUsage, parseCommandLine, USAGE } from './command-line';
import type { CommandLine, CommandName } from './command-line';
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

const STATUS_WINDOW = 20;

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
