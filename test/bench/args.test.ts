import { describe, expect, it } from 'vitest';
import { DEFAULT_JSON, parseBenchArgs, SECTIONS } from '../../bench/args';
import { main } from '../../bench/run';

/** Captures what main() writes. */
function fakeIo() {
  const text = { out: '', err: '' };
  const stream = (key: 'out' | 'err') => ({ write: (s: string) => ((text[key] += s), true) }) as unknown as NodeJS.WritableStream;
  return { io: { out: stream('out'), err: stream('err') }, text };
}

describe('parseBenchArgs', () => {
  it('runs every section, full size, into the default JSON file when given nothing', () => {
    expect(parseBenchArgs([])).toEqual({ json: DEFAULT_JSON, quick: false, sections: [...SECTIONS], dataDir: undefined, help: false });
  });

  it('reads --json, --quick and --data', () => {
    const args = parseBenchArgs(['--json', 'out/b.json', '--quick', '--data', 'lib']);
    expect(args).toMatchObject({ json: 'out/b.json', quick: true, dataDir: 'lib' });
  });

  it('keeps --only sections in run order whatever order they are named in', () => {
    expect(parseBenchArgs(['--only', 'memory, knn']).sections).toEqual(['knn', 'memory']);
  });

  it.each([
    [['--colour', 'red'], /Unknown option '--colour'/],
    [['extra'], /Unexpected argument 'extra'/],
    [['--json'], /argument missing/],
    [['--json', ' '], /--json needs a file name/],
    [['--only', 'knn,gpu'], /unknown section "gpu"; choose from knn, serving, pipeline, memory/],
    [['--only', ','], /--only needs at least one of/],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe('bench CLI', () => {
  it('prints the usage and exits 0 on --help without running anything', async () => {
    const { io, text } = fakeIo();
    expect(await main(['--help'], io)).toBe(0);
    expect(text.out).toMatch(/usage: npm run bench -- \[--json FILE\] \[--quick\]/);
    expect(text.err).toBe('');
  });

  it('exits 2 with the reason and the usage on a bad argument', async () => {
    const { io, text } = fakeIo();
    expect(await main(['--only', 'gpu'], io)).toBe(2);
    expect(text.err).toMatch(/^bench: --only: unknown section "gpu"/);
    expect(text.out).toBe('');
  });
});
