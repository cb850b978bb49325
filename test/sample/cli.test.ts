import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../sample/cli';

let root: string;

/** Capture what main() writes, without a terminal. */
function fakeIo() {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ isTTY: false, write: (s: string) => ((text[key] += s), true) }) as unknown as NodeJS.WriteStream;
  return { io: { out: stream('out'), err: stream('err') }, text };
}

async function run(argv: string[]) {
  const { io, text } = fakeIo();
  const code = await main(argv, io);
  return { code, ...text };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sample-cli-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('dataset CLI', () => {
  it.each([
    [['--out', 'x', '--colour', 'red'], /Unknown option '--colour'/],
    [['--seed', '3'], /--out DIR is required/],
    [['--out', 'x', '--per-pair', 'ten'], /--per-pair must be a whole number, got "ten"/],
    [['--out', 'x', '--per-pair', '0'], /--per-pair must be from 1 to 500, got 0/],
    [['--out', 'x', '--per-pair', '501'], /--per-pair must be from 1 to 500/],
    [['--out', 'x', '--seed', '1.5'], /--seed must be a whole number/],
    [['--out', 'x', '--seed', '99999999999'], /--seed must be from 0 to 4294967295/],
    [['--out', 'x', 'extra'], /Unexpected argument 'extra'/],
  ])('rejects %j with a message naming the problem', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('refuses an unwritable destination', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    const r = await run(['--out', join(file, 'lib'), '--per-pair', '1']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/is not writable/);
    const onFile = await run(['--out', file, '--per-pair', '1', '--force']);
    expect(onFile.code).not.toBe(0);
    expect(onFile.err).toMatch(/is a file, not a folder/);
  });

  it('refuses a non-empty destination without --force and replaces it only with --force', async () => {
    const dest = join(root, 'lib');
    await mkdir(dest);
    await writeFile(join(dest, 'keep.txt'), 'mine');
    const refused = await run(['--out', dest, '--per-pair', '1']);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/exists and is not empty; pass --force/);
    expect(await readFile(join(dest, 'keep.txt'), 'utf8')).toBe('mine');

    const forced = await run(['--out', dest, '--per-pair', '1', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/images: 48 \(1 per subject-style pair, seed 42\)/);
    expect(forced.err).toMatch(/rendering images 48\/48/);
    expect((await readdir(dest)).sort()).toEqual(['images', 'interactions.csv', 'manifest.jsonl', 'users.json']);
    expect((await readdir(root)).sort()).toEqual(['a-file', 'lib']);
  });

  it('exits non-zero without a stack trace when run as a process', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'sample/cli.ts', '--per-pair', 'many'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--out DIR is required|--per-pair must be a whole number/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
