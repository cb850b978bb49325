import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, ConcurrentRunError, NotFoundError, ValidationError } from '../../core/errors';
import { LocalVectorIndex } from '../../core/local/hnsw-vector-index';
import { appendRunRecord } from '../../core/local/local-run-log';
import { LocalStateLayout, SERVING_ALIAS } from '../../core/local/local-state';
import { LockFileExecutionGuard } from '../../core/local/lock-file-execution-guard';
import type { ExecutionSummary, RunEvent } from '../../core/ports/pipeline-control';
import {
  GENERATION_FILES, INDEX_GENERATION, LocalPipelineControl, MAP_RESULTS, NO_LOCAL_SCHEDULE_MESSAGE, WORK_FILES,
} from '../../ops/local-pipeline-control';
import type { LocalPipelineOptions, LocalPipelineResult } from '../../state-machines/local-runner';

const startedAt = new Date('2026-12-04T10:00:00Z');
const RUN_ID = 'arn:aws:states:local:000000000000:execution:retraining:local-fake-1';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/**
 * Behaves as the local runner does towards the control: claims the lock, says it started, reports events, appends its summary to
 * runs.jsonl and releases the lock; `midway` holds it between its first event and the rest.
 */
function fakeRunner(behaviour: { midway?: Promise<void>; failWith?: Error; refuseWith?: Error; skipFinished?: boolean } = {}) {
  const calls: LocalPipelineOptions[] = [];
  const runner = async (options: LocalPipelineOptions): Promise<LocalPipelineResult> => {
    calls.push(options);
    if (behaviour.refuseWith) throw behaviour.refuseWith;
    const guard = new LockFileExecutionGuard({ path: join(options.stateDir, 'pipeline.lock') });
    await guard.claim({ runId: RUN_ID, startedAt });
    options.onStarted?.({ executionId: RUN_ID, startedAt });
    try {
      options.onEvent?.({ kind: 'entered', state: 'Check no other run', at: startedAt });
      await behaviour.midway;
      if (behaviour.failWith) throw behaviour.failWith;
      options.onEvent?.({ kind: 'exited', state: 'Check no other run', at: startedAt, seconds: 0.1 });
      const execution: ExecutionSummary = { id: RUN_ID, name: 'local-fake-1', status: 'SUCCEEDED', startedAt, stoppedAt: new Date(startedAt.getTime() + 5000), generation: 'gen-1' };
      await appendRunRecord(options.stateDir, execution);
      if (!behaviour.skipFinished) options.onEvent?.({ kind: 'finished', at: execution.stoppedAt as Date, execution });
      return { executionId: RUN_ID } as LocalPipelineResult;
    } finally {
      await guard.release(RUN_ID);
    }
  };
  return { runner, calls };
}

describe('LocalPipelineControl', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'local-control-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });
  const control = (runner?: ReturnType<typeof fakeRunner>['runner'], more: object = {}) =>
    new LocalPipelineControl({ stateDir, dataDir: '/data', ...(runner && { runner }), ...more });

  describe('runs', () => {
    it('starts a run, shows it as running from the lock file, and keeps every event for a late reader', async () => {
      const midway = deferred();
      const { runner } = fakeRunner({ midway: midway.promise });
      const local = control(runner);
      const started = await local.start({});

      expect(started).toMatchObject({ id: RUN_ID, startedAt });
      const [current] = await local.list(10);
      expect(current).toEqual({ id: RUN_ID, name: 'local-fake-1', status: 'RUNNING', startedAt });
      expect((await local.describe('local-fake-1')).status).toBe('RUNNING');

      midway.resolve();
      const events = await collect(started.events());
      expect(events.map((e) => e.kind)).toEqual(['entered', 'exited', 'finished']);
      expect(await collect(started.events())).toEqual(events);
      const history = await local.list(10);
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ id: RUN_ID, status: 'SUCCEEDED', generation: 'gen-1' });
      expect(await local.describe(RUN_ID)).toEqual(history[0]);
    });

    it('passes the settings and the input generation to the runner', async () => {
      const { runner, calls } = fakeRunner();
      const started = await control(runner, { k: 6, embedderEpochs: 2, failAt: 'Index images' }).start({ generation: 'rerun-1' });
      await collect(started.events());
      expect(calls[0]).toMatchObject({ stateDir, dataDir: '/data', k: 6, embedderEpochs: 2, failAt: 'Index images', generation: 'rerun-1' });
    });

    it('refuses an invalid input before running anything', async () => {
      const { runner, calls } = fakeRunner();
      await expect(control(runner).start({ generation: 'Bad Name' })).rejects.toThrow(ValidationError);
      expect(calls).toEqual([]);
    });

    it('rejects start when the runner refuses the run before its first event', async () => {
      const { runner } = fakeRunner({ refuseWith: new ConcurrentRunError('another pipeline run is in progress (other)') });
      await expect(control(runner).start({})).rejects.toThrow(/another pipeline run is in progress \(other\)/);
    });

    it('ends the event stream with the error that stopped a started run', async () => {
      const { runner } = fakeRunner({ failWith: new Error('disk full') });
      const started = await control(runner).start({});
      await expect(collect(started.events())).rejects.toThrow('disk full');
    });

    it('ends the event stream with an error when the run never reported its outcome', async () => {
      const { runner } = fakeRunner({ skipFinished: true });
      const started = await control(runner).start({});
      await expect(collect(started.events())).rejects.toThrow(/ended without reporting its outcome/);
    });

    it('lists newest first up to the limit, and names an unknown execution', async () => {
      for (const n of [1, 2, 3]) {
        await appendRunRecord(stateDir, { id: `arn:x:run-${n}`, name: `run-${n}`, status: 'FAILED', startedAt: new Date(startedAt.getTime() + n) });
      }
      const local = control();
      expect((await local.list(2)).map((r) => r.name)).toEqual(['run-3', 'run-2']);
      await expect(local.describe('run-9')).rejects.toThrow(NotFoundError);
      await expect(local.describe('run-9')).rejects.toThrow(/no local execution "run-9" in .*history/);
    });

    it('does not show a run whose process is gone as running', async () => {
      await writeFile(join(stateDir, 'pipeline.lock'), JSON.stringify({ runId: 'arn:x:crashed', pid: 4_194_305, startedAt: startedAt.toISOString() }));
      expect(await control().list(10)).toEqual([]);
    });
  });

  it('has no schedule locally, and says where the schedule lives and how to run', async () => {
    const local = control();
    for (const call of [() => local.readSchedule(), () => local.setScheduleEnabled(), () => local.setScheduleExpression()]) {
      await expect(call()).rejects.toThrow(AppError);
      await expect(call()).rejects.toThrow(NO_LOCAL_SCHEDULE_MESSAGE);
    }
    expect(NO_LOCAL_SCHEDULE_MESSAGE).toMatch(/EventBridge rule of the AWS stack.*npm run cli -- run/);
  });

  describe('teardown', () => {
    const layout = () => new LocalStateLayout(stateDir);
    const index = () => new LocalVectorIndex({ root: layout().indexRoot });

    const bucket = (...parts: string[]) => join(stateDir, 'bucket', ...parts);

    /**
     * gen-a served, gen-b an older complete one, gen-c a half-built index, gen-d files of a rejected run, gen-e a run
     * that failed early and left only work files; bucket work files for some, and one finished run's Map results.
     */
    async function leftovers(): Promise<void> {
      const vectors = index();
      for (const generation of ['gen-a', 'gen-b', 'gen-c']) {
        await vectors.createGeneration(generation, { dimension: 2 });
        await vectors.upsert(generation, [{ id: 'i1', vector: Float32Array.of(1, 0), cluster: 0, metadata: {} }]);
      }
      await vectors.finalize('gen-a');
      await vectors.finalize('gen-b');
      await vectors.swapAlias(SERVING_ALIAS, 'gen-a');
      for (const generation of ['gen-a', 'gen-b', 'gen-d']) {
        await mkdir(layout().generationDir(generation), { recursive: true });
        await writeFile(layout().rankerModel(generation), '{}');
      }
      for (const folder of [['embeddings', 'gen-a'], ['embeddings', 'gen-b'], ['kmeans', 'models', 'kmeans-gen-d', 'output'], ['personalize', 'gen-e'], ['runs', 'embed-results', 'local-r1'], ['runs', 'embed-results', 'local-r2']]) {
        await mkdir(bucket(...folder), { recursive: true });
      }
      await writeFile(bucket('runs', 'embed-results', 'local-r1', 'manifest.json'), '{}');
      await mkdir(bucket('assignments'), { recursive: true });
      await writeFile(bucket('assignments', 'gen-a.jsonl'), '');
      await writeFile(bucket('assignments', 'gen-b.jsonl'), '');
      await appendRunRecord(stateDir, { id: 'arn:x:local-r1', name: 'local-r1', status: 'FAILED', startedAt, generation: 'gen-e' });
    }

    it('plans every generation the alias does not serve, index and files, and never the served one', async () => {
      await leftovers();
      expect(await control().planTeardown()).toEqual([
        { kind: INDEX_GENERATION, id: 'gen-b', note: '1 image, not served' },
        { kind: INDEX_GENERATION, id: 'gen-c', note: 'incomplete: left by a failed run' },
        { kind: GENERATION_FILES, id: layout().generationDir('gen-b'), note: 'models and assignments, not served' },
        { kind: GENERATION_FILES, id: layout().generationDir('gen-d'), note: 'no index generation: left by a failed or rejected run' },
        { kind: WORK_FILES, id: 'gen-b', note: `2 paths under ${bucket()}` },
        { kind: WORK_FILES, id: 'gen-d', note: `1 path under ${bucket()}` },
        { kind: WORK_FILES, id: 'gen-e', note: `1 path under ${bucket()}` },
        { kind: MAP_RESULTS, id: 'local-r1', note: `under ${bucket('runs')}/` },
      ]);
    });

    it('deletes the planned items and leaves only the served generation; a second plan is empty', async () => {
      await leftovers();
      const local = control();
      const plan = await local.planTeardown();
      const result = await local.teardown(plan);
      expect(result).toEqual({ deleted: plan, left: [] });
      expect((await index().listGenerations()).map((g) => g.generation)).toEqual(['gen-a']);
      expect(await readdir(join(stateDir, 'generations'))).toEqual(['gen-a']);
      expect(await readdir(bucket('embeddings'))).toEqual(['gen-a']);
      expect(await readdir(bucket('assignments'))).toEqual(['gen-a.jsonl']);
      expect(await readdir(bucket('kmeans', 'models'))).toEqual([]);
      expect(await readdir(bucket('personalize'))).toEqual([]);
      // Only finished runs' results go: local-r2 is in no run record.
      expect(await readdir(bucket('runs', 'embed-results'))).toEqual(['local-r2']);
      expect(await index().resolveAlias(SERVING_ALIAS)).toBe('gen-a');
      expect(await local.planTeardown()).toEqual([]);
      expect(existsSync(join(stateDir, 'pipeline.lock'))).toBe(false);
    });

    it('leaves, with the reason, the served generation, a path outside the state folder and a kind it does not know', async () => {
      await leftovers();
      const outside = await mkdtemp(join(tmpdir(), 'outside-'));
      try {
        const result = await control().teardown([
          { kind: INDEX_GENERATION, id: 'gen-a' },
          { kind: GENERATION_FILES, id: layout().generationDir('gen-a') },
          { kind: GENERATION_FILES, id: outside },
          { kind: 'campaign', id: 'arn:aws:personalize:x' },
          { kind: WORK_FILES, id: 'gen-a' },
          { kind: WORK_FILES, id: '../../etc' },
          { kind: MAP_RESULTS, id: '..' },
        ]);
        expect(result.deleted).toEqual([]);
        expect(result.left.map((item) => item.reason)).toEqual([
          'it serves the alias "images"',
          'generation gen-a serves the alias "images"',
          `not a generation folder of ${stateDir}`,
          'a local teardown cannot delete a campaign',
          'generation gen-a serves the alias "images"',
          expect.stringMatching(/cluster generation "..\/..\/etc" is invalid/),
          '".." is not an execution name',
        ]);
        expect(await readdir(bucket('embeddings'))).toContain('gen-a');
        expect(existsSync(outside)).toBe(true);
        expect((await index().listGenerations()).map((g) => g.generation)).toContain('gen-a');
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('refuses to plan or delete while a run is in progress', async () => {
      await leftovers();
      const local = control();
      const plan = await local.planTeardown();
      const run = new LockFileExecutionGuard({ path: join(stateDir, 'pipeline.lock') });
      await run.claim({ runId: 'local-running', startedAt });
      try {
        await expect(local.planTeardown()).rejects.toThrow(ConcurrentRunError);
        await expect(local.planTeardown()).rejects.toThrow(/run is in progress \(local-running.*wait for it to finish/);
        const result = await local.teardown(plan);
        expect(result.deleted).toEqual([]);
        expect(result.left).toHaveLength(plan.length);
        expect(result.left[0]?.reason).toMatch(/not deleted: another pipeline run is in progress \(local-running/);
        expect((await index().listGenerations())).toHaveLength(3);
      } finally {
        await run.release('local-running');
      }
    });
  });
});
