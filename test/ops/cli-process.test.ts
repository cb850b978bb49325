import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs a real process from the repository root; resolves with its exit code and output, never rejects. */
function run(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

describe('the CLI as a process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cli-process-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs ops/cli.ts directly: an empty history, exit 0', async () => {
    const result = await run(['--import', 'tsx', 'ops/cli.ts', 'history', '--local', '--state', join(dir, 'empty')]);
    expect(result).toEqual({ code: 0, stdout: 'No runs yet: start one with "npm run cli -- run".\n', stderr: '' });
  });

  it('runs through bin/image-search.js: a malformed input file is one line on stderr and exit 1', async () => {
    const input = join(dir, 'input.json');
    await writeFile(input, '{ "generation": }');
    const result = await run(['bin/image-search.js', 'run', '--local', '--state', join(dir, 'state'), '--data', join(dir, 'data'), '--input', input]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([`error: the input file ${input} is not valid JSON: Unexpected token '}' at line 1, column 17`]);
  });

  it('exits 2 on a bad flag, with the usage on the same single line', async () => {
    const result = await run(['bin/image-search.js', 'history', '--bogus']);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: Unknown option '--bogus'.*; usage: npm run cli -- history \[--limit N\]/);
  });

  it('says in one line that AWS credentials are missing, with no SDK notice or stack trace', async () => {
    const home = join(dir, 'home');
    const env = { PATH: process.env.PATH, HOME: home, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
    const result = await run(['bin/image-search.js', 'history', '--stack', 'ImageSearch'], env);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual(['error: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login']);
  });
});
