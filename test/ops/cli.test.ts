import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors';
import { appendRunRecord } from '../../core/local/local-run-log';
import type { CliIo } from '../../ops/cli';
import { main } from '../../ops/cli';
import { parseCommandLine, USAGE } from '../../ops/command-line';

function recordingIo(env: CliIo['env'] = {}, more: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), env, ...more };
  return { io, out, err };
}

/** One line on stderr, starting "error:", with no stack frame. */
function expectOneErrorLine(err: readonly string[], message: RegExp | string): void {
  expect(err).toHaveLength(1);
  expect(err[0]).toMatch(/^error: /);
  expect(err[0]).toMatch(message);
  expect(err[0]).not.toContain('\n');
  expect(err.join('\n')).not.toMatch(/^\s+at /m);
}

describe('parseCommandLine', () => {
  it('defaults to local mode and takes flags before or after the command', () => {
    expect(parseCommandLine(['history'], {})).toMatchObject({ command: 'history', mode: 'local', limit: 10 });
    expect(parseCommandLine(['--state', '/s', 'history', '--limit', '3'], {})).toMatchObject({ command: 'history', mode: 'local', state: '/s', limit: 3 });
    expect(parseCommandLine(['run', '--follow', '--input=in.json', '--k', '6'], {})).toMatchObject({ command: 'run', follow: true, input: 'in.json', k: 6 });
  });

  it('uses AWS when a stack or state machine is named, by flag or IMAGE_SEARCH_STACK, unless --local says otherwise', () => {
    expect(parseCommandLine(['status', '--stack', 'ImageSearch'], {})).toMatchObject({ mode: 'aws', stack: 'ImageSearch' });
    expect(parseCommandLine(['status', '--state-machine', 'arn:sm'], {})).toMatchObject({ mode: 'aws', stateMachine: 'arn:sm' });
    expect(parseCommandLine(['status'], { IMAGE_SEARCH_STACK: 'Prod' })).toMatchObject({ mode: 'aws', stack: 'Prod' });
    expect(parseCommandLine(['status', '--local'], { IMAGE_SEARCH_STACK: 'Prod' })).toMatchObject({ mode: 'local' });
    expect(parseCommandLine(['status', '--local'], { IMAGE_SEARCH_STACK: 'Prod' })).not.toHaveProperty('stack');
    expect(parseCommandLine(['status', '--aws', '--region', 'eu-west-1'], {})).toMatchObject({ mode: 'aws', region: 'eu-west-1' });
  });

  it('takes the schedule action and expression as words, and an execution for status', () => {
    expect(parseCommandLine(['schedule', 'set', 'rate(1 day)', '--aws'], {}).words).toEqual(['set', 'rate(1 day)']);
    expect(parseCommandLine(['schedule', 'show'], {}).words).toEqual(['show']);
    expect(parseCommandLine(['status', 'run-7'], {}).words).toEqual(['run-7']);
  });

  it.each([
    [[], /a command is required/],
    [['deploy'], /unknown command "deploy"/],
    [['history', '--bogus'], /Unknown option '--bogus'.*usage: npm run cli -- history \[--limit N\]/s],
    [['history', '--local', '--aws'], /--local and --aws cannot be used together/],
    [['history', '--aws', '--state', '/s'], /--state applies to --local mode only/],
    [['run', '--stack', 'S', '--k', '6'], /--k applies to --local mode only/],
    [['history', '--local', '--region', 'eu-west-1'], /--region applies to --aws mode only/],
    [['history', '--limit', '0'], /--limit must be from 1 to 1000, got 0/],
    [['run', '--k', 'six'], /--k must be a whole number, got "six"/],
    [['schedule'], /schedule needs an action: show, enable, disable or set/],
    [['schedule', 'pause'], /unknown schedule action "pause"/],
    [['schedule', 'set'], /schedule set needs an expression/],
    [['schedule', 'enable', 'now'], /schedule enable takes no expression/],
    [['history', 'extra'], /unexpected arguments "extra"/],
  ])('rejects %j as a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv, {})).toThrow(ValidationError);
    expect(() => parseCommandLine(argv, {})).toThrow(message);
  });
});

describe('main: errors are one line and a non-zero exit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const local = (...argv: string[]) => [...argv, '--local', '--state', join(dir, 'state'), '--data', join(dir, 'data')];

  it('exits 2 with the usage on one line for a bad flag or command', async () => {
    for (const argv of [['history', '--bogus'], ['frobnicate'], []]) {
      const { io, out, err } = recordingIo();
      expect(await main(argv, io)).toBe(2);
      expectOneErrorLine(err, /usage: npm run cli -- /);
      expect(out).toEqual([]);
    }
  });

  it('prints the usage for --help, or the command\'s usage, and exits 0', async () => {
    const help = recordingIo();
    expect(await main(['--help'], help.io)).toBe(0);
    expect(help.out).toEqual([USAGE]);
    expect(help.err).toEqual([]);
    const { io, out } = recordingIo();
    expect(await main(['teardown', '-h'], io)).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^usage: npm run cli -- teardown \[--yes\] \[--local/)]);
  });

  it('names a malformed input file with the JSON error position, before building or starting anything', async () => {
    const path = join(dir, 'input.json');
    await writeFile(path, '{"generation": "gen-1",}');
    const { io, out, err } = recordingIo();
    expect(await main(local('run', '--input', path), io)).toBe(1);
    expectOneErrorLine(err, `error: the input file ${path} is not valid JSON: Expected double-quoted property name at line 1, column 24`);
    expect(out).toEqual([]);
  });

  it('names the field of an input file that breaks the input rule, and a file that is missing', async () => {
    const path = join(dir, 'fields.json');
    await writeFile(path, '{"generation": "gen-1", "force": true}');
    let { io, err } = recordingIo();
    expect(await main(local('run', '--follow', '--input', path), io)).toBe(1);
    expectOneErrorLine(err, /the input file .*fields.json is not a valid execution input: the execution input has unknown fields force/);

    ({ io, err } = recordingIo());
    expect(await main(local('run', '--input', join(dir, 'nope.json')), io)).toBe(1);
    expectOneErrorLine(err, /cannot read the input file .*nope.json: no such file/);
  });

  it('says a --data folder is not a library instead of building the sample there', async () => {
    const { io, err } = recordingIo();
    expect(await main(local('run'), io)).toBe(1);
    expectOneErrorLine(err, /data has no manifest.jsonl: pass a library folder with --data/);
  });

  it('names an unknown execution', async () => {
    const { io, err } = recordingIo();
    expect(await main(local('status', 'local-nope'), io)).toBe(1);
    expectOneErrorLine(err, /no local execution "local-nope" in .*history" lists them/);
  });

  it('says the schedule lives on AWS in local mode', async () => {
    for (const action of [['show'], ['disable'], ['set', 'rate(1 day)']]) {
      const { io, err } = recordingIo();
      expect(await main(local('schedule', ...action), io)).toBe(1);
      expectOneErrorLine(err, /local mode has no retraining schedule/);
    }
  });

  it('shows an unexpected error as one line, and its stack only with IMAGE_SEARCH_DEBUG=1', async () => {
    const file = join(dir, 'not-a-folder');
    await writeFile(file, 'x');
    const argv = ['history', '--local', '--state', file];
    let { io, err } = recordingIo();
    expect(await main(argv, io)).toBe(1);
    expectOneErrorLine(err, /^error: ENOTDIR: not a directory/);

    ({ io, err } = recordingIo({ IMAGE_SEARCH_DEBUG: '1' }));
    expect(await main(argv, io)).toBe(1);
    expect(err[0]).toMatch(/^error: ENOTDIR/);
    expect(err.slice(1).join('\n')).toMatch(/^\s+at /m);
  });

  it('shows the history of the state folder, and says when there is none', async () => {
    const state = join(dir, 'history-state');
    let { io, out } = recordingIo();
    expect(await main(['history', '--state', state], io)).toBe(0);
    expect(out).toEqual(['No runs yet: start one with "npm run cli -- run".']);

    await appendRunRecord(state, {
      id: 'arn:local:run-1', name: 'run-1', status: 'FAILED', startedAt: new Date('2026-12-04T10:00:00Z'), stoppedAt: new Date('2026-12-04T10:00:09Z'),
      generation: 'gen-1', failure: { state: 'Train K-Means', error: 'Boom', cause: 'no' },
    });
    ({ io, out } = recordingIo());
    expect(await main(['history', '--state', state], io)).toBe(0);
    expect(out[1]?.split(/\s{2,}/)).toEqual(['run-1', 'failed at Train K-Means', '2026-12-04 10:00:00', '9.0 s', 'gen-1', '-', '-', '-', '-']);
  });
});
