import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalVectorIndex } from '../../core/local/hnsw-vector-index';
import { LocalStateLayout, SERVING_ALIAS } from '../../core/local/local-state';
import { LockFileExecutionGuard } from '../../core/local/lock-file-execution-guard';
import type { CliIo } from '../../ops/cli';
import { main } from '../../ops/cli';
import { sampleLibrary } from '../fixtures/sample-library';

// The local runner test's fast settings (144 images, few epochs): one run takes ~10 s on 2 cores.
const TUNING = { embedderEpochs: 5, embedBatchSize: 40, maxConcurrency: 2 } as const;
const FIRST = 'gen-cli-first';
const SECOND = 'gen-cli-second';

describe('operator CLI on the local pipeline, end to end', () => {
  let dir: string;
  let dataDir: string;
  let stateDir: string;

  beforeAll(async () => {
    dataDir = await sampleLibrary({ perPair: 3 });
    dir = await mkdtemp(join(tmpdir(), 'cli-local-'));
    stateDir = join(dir, 'state');
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function cli(argv: readonly string[], more: Partial<CliIo> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line), env: {}, localTuning: TUNING, ...more };
    const code = await main([...argv, '--local', '--state', stateDir, '--data', dataDir], io);
    return { code, out, err };
  }
  const index = () => new LocalVectorIndex({ root: new LocalStateLayout(stateDir).indexRoot });

  it('run --follow shows each state entered and left, the Map progress and the outcome with the quality figures', async () => {
    const input = join(dir, 'first.json');
    await writeFile(input, JSON.stringify({ generation: FIRST }));
    const { code, out, err } = await cli(['run', '--follow', '--k', '6', '--input', input]);

    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^Started arn:aws:states:local:\d+:execution:retraining:local-/);
    for (const state of ['Check no other run', 'Embed images', 'Index images', 'Publish generation']) {
      expect(out).toContain(`▶ ${state}`);
      expect(out.some((line) => line.startsWith(`✔ ${state} (`))).toBe(true);
    }
    expect(out.indexOf('▶ Index images')).toBeLessThan(out.indexOf('▶ Publish generation'));
    const progress = out.filter((line) => line.startsWith('    Embed images: '));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatch(/^ {4}Embed images: (\d+)\/\1 succeeded \(failed 0\)$/);
    // A first run finds no campaign to compare with: that failure is caught, and the display says the run goes on.
    out.forEach((line, i) => {
      if (line.startsWith('✖ ')) expect(out[i + 1]).toMatch(/^ {4}↳ caught: the run goes on at "/);
    });
    expect(out).toContainEqual(expect.stringMatching(new RegExp(`^Run succeeded in .*: generation ${FIRST} is live$`)));
    expect(out).toContainEqual(expect.stringMatching(/^ {2}candidate {3}ndcg@10 \d\.\d{3} {2}p@10 \d\.\d{3}$/));
    expect(out).toContain('  serving     none: nothing served before this run');
    expect(await index().resolveAlias(SERVING_ALIAS)).toBe(FIRST);
  }, 120_000);

  it('status shows the latest run and history lists it with its generation and figures', async () => {
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.out[0]).toMatch(new RegExp(`^Run succeeded in .*: generation ${FIRST} is live$`));

    const history = await cli(['history']);
    expect(history.code).toBe(0);
    expect(history.out).toHaveLength(2);
    const row = history.out[1]?.split(/\s{2,}/) ?? [];
    expect(row[0]).toMatch(/^local-/);
    expect(row.slice(1, 2)).toEqual(['succeeded']);
    expect(row[4]).toBe(FIRST);
    expect(row.slice(5, 7)).toEqual([expect.stringMatching(/^\d\.\d{3}$/), expect.stringMatching(/^\d\.\d{3}$/)]);
    expect(row.slice(7)).toEqual(['-', '-']);
  });

  it('a run that fails prints only its outcome, exits 1, and history says where it failed', async () => {
    const input = join(dir, 'second.json');
    await writeFile(input, JSON.stringify({ generation: SECOND }));
    const { code, out, err } = await cli(['run', '--k', '6', '--input', input], { env: { PIPELINE_FAIL_AT: 'Publish generation' } });

    expect(err).toEqual([]);
    expect(code).toBe(1);
    expect(out[0]).toMatch(new RegExp(`^Run FAILED at "Publish generation" after .*: generation ${SECOND} was not published; the previous generation, if any, keeps serving$`));
    expect(out.at(-1)).toMatch(/^ {2}error {7}InjectedFailureError: injected failure at "Publish generation"/);
    expect(out.some((line) => line.startsWith('▶'))).toBe(false);

    const history = await cli(['history', '--limit', '1']);
    expect(history.out).toHaveLength(2);
    expect(history.out[1]?.split(/\s{2,}/).slice(1, 2)).toEqual(['failed at Publish generation']);
    expect(await index().resolveAlias(SERVING_ALIAS)).toBe(FIRST);
  }, 120_000);

  it('teardown lists what it would delete and deletes nothing unless confirmed', async () => {
    const declined = await cli(['teardown'], { prompt: async () => 'n' });
    expect(declined.code).toBe(1);
    expect(declined.out[0]).toBe('Teardown will delete 5 items:');
    expect(declined.out.slice(1, 4)).toEqual([
      `  index generation  ${SECOND}  (144 images, not served)`,
      `  generation files  ${new LocalStateLayout(stateDir).generationDir(SECOND)}  (models and assignments, not served)`,
      `  work files        ${SECOND}  (5 paths under ${join(stateDir, 'bucket')})`,
    ]);
    expect(declined.out.slice(4, 6)).toEqual([expect.stringMatching(/^ {2}Map results {7}local-/), expect.stringMatching(/^ {2}Map results {7}local-/)]);
    expect(declined.out.at(-1)).toBe('Nothing deleted.');

    const noTerminal = await cli(['teardown']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.err).toEqual(['error: teardown asks before deleting and there is no terminal to ask on: pass --yes to delete the items listed above']);
    expect((await index().listGenerations()).map((g) => g.generation).sort()).toEqual([FIRST, SECOND]);
  });

  it('teardown --yes leaves only the served generation, and a second teardown has nothing to delete', async () => {
    const { code, out } = await cli(['teardown', '--yes']);
    expect(code).toBe(0);
    expect(out.at(-1)).toBe('Deleted 5 items.');
    expect((await index().listGenerations()).map((g) => g.generation)).toEqual([FIRST]);
    expect(await readdir(join(stateDir, 'generations'))).toEqual([FIRST]);
    expect(await readdir(join(stateDir, 'bucket', 'embeddings'))).toEqual([FIRST]);
    expect(await readdir(join(stateDir, 'bucket', 'runs', 'embed-results'))).toEqual([]);
    expect(await index().resolveAlias(SERVING_ALIAS)).toBe(FIRST);

    const again = await cli(['teardown']);
    expect(again).toEqual({ code: 0, out: ['Nothing to delete: no resources left behind by runs.'], err: [] });
  });

  it('refuses a run while another holds the lock, in one line, and status shows that run as in progress', async () => {
    const other = new LockFileExecutionGuard({ path: join(stateDir, 'pipeline.lock') });
    const runId = 'arn:aws:states:local:000000000000:execution:retraining:local-other';
    await other.claim({ runId, startedAt: new Date() });
    try {
      const status = await cli(['status']);
      expect(status.out[0]).toMatch(/^Run in progress for .*: building generation \(not named yet\)$/);
      expect(status.out[1]).toBe(`  execution   local-other  (${runId})`);

      const refused = await cli(['run', '--k', '6']);
      expect(refused.code).toBe(1);
      expect(refused.err).toHaveLength(1);
      expect(refused.err[0]).toMatch(/^error: another pipeline run is in progress \(arn:.*local-other, pid \d+/);
      expect(refused.out).toEqual([]);
    } finally {
      await other.release(runId);
    }
    expect(existsSync(join(stateDir, 'pipeline.lock'))).toBe(false);
  }, 60_000);
});
