import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConcurrentRunError, ValidationError } from '../../core/errors';
import { LocalVectorIndex } from '../../core/local/hnsw-vector-index';
import { LocalStateLayout, SERVING_ALIAS } from '../../core/local/local-state';
import { LockFileExecutionGuard } from '../../core/local/lock-file-execution-guard';
import { LocalSearchService } from '../../serving/local-search-service';
import { runLocalPipeline } from '../../state-machines/local-runner';
import type { LocalPipelineOptions } from '../../state-machines/local-runner';
import { sampleLibrary } from '../fixtures/sample-library';

// Fast settings: 144 images, few epochs, small k; one run takes ~10 s on 2 cores.
const FAST = { k: 6, embedderEpochs: 5, embedBatchSize: 40, maxConcurrency: 2 } as const;
const FIRST = 'gen-20261204-000001';

describe('runLocalPipeline on the synthesized retraining definition', () => {
  let dir: string;
  let dataDir: string;
  let stateDir: string;
  const options = (more: Partial<LocalPipelineOptions>): LocalPipelineOptions => ({ dataDir, stateDir, ...FAST, ...more });

  beforeAll(async () => {
    dataDir = await sampleLibrary({ perPair: 3 });
    dir = await mkdtemp(join(tmpdir(), 'local-runner-'));
    stateDir = join(dir, 'state');
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a definition with a Task that has no local handler, naming the state, before the run starts', async () => {
    const withMystery = options({
      transformDefinition: (definition) => {
        const states = structuredClone(definition.States);
        states['Mystery step'] = { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: 't' }, Next: 'Embed images' };
        (states['Plan run keys'] as Record<string, unknown>).Next = 'Mystery step';
        return { ...definition, States: states };
      },
    });
    await expect(runLocalPipeline(withMystery)).rejects.toThrow(ValidationError);
    await expect(runLocalPipeline(withMystery)).rejects.toThrow(/Mystery step \(arn:aws:states:::dynamodb:putItem\).*did not start/);
    expect(existsSync(join(stateDir, 'pipeline.lock'))).toBe(false);
    expect(existsSync(join(stateDir, 'generations'))).toBe(false);
  });

  it('runs every state to a new served generation that answers a personalized search', async () => {
    const lines: string[] = [];
    const result = await runLocalPipeline(options({ generation: FIRST, onProgress: (line) => lines.push(line) }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.generation).toBe(FIRST);
    const main = ['Check no other run', 'Plan run keys', 'Embed images', 'Prepare K-Means input', 'Train K-Means', 'Create K-Means model', 'Assign clusters',
      'Write cluster assignments', 'Rewrite interactions', 'Import interactions', 'Train solution version', 'Get candidate metrics', 'Find serving model',
      'Nothing serving yet', 'Check model quality', 'Publish quality event', 'Model good enough?', 'Create campaign', 'Index images',
      'Publish generation', 'Clean up generations', 'Publish success event', 'Retraining succeeded'];
    expect(result.statesVisited.filter((s) => main.includes(s))).toEqual(main);
    expect(result.imagesEmbedded).toBe(144);
    expect(lines.filter((l) => l.includes('batch ') && l.includes('"Embed images"'))).toHaveLength(4);
    expect(lines.some((l) => l.startsWith('Run succeeded'))).toBe(true);
    expect(await new LocalVectorIndex({ root: new LocalStateLayout(stateDir).indexRoot }).resolveAlias(SERVING_ALIAS)).toBe(FIRST);
    expect(existsSync(join(stateDir, 'pipeline.lock'))).toBe(false);

    const service = new LocalSearchService({ stateDir });
    const interactions = await readFile(join(dataDir, 'interactions.csv'), 'utf8');
    const userId = (interactions.split('\n')[1] as string).split(',')[0] as string;
    const response = await service.search({ q: 'cat', userId, k: 5, weight: 0.5 });
    expect(response.generation).toBe(FIRST);
    expect(response.personalized).toBe(true);
    expect(response.results).toHaveLength(5);
  }, 120_000);

  it('keeps the old alias and its files when a failure is injected after indexing, before the swap', async () => {
    const layout = new LocalStateLayout(stateDir);
    const before = await readFile(layout.generationInfo(FIRST), 'utf8');
    const ranker = await readFile(layout.rankerModel(FIRST), 'utf8');
    const result = await runLocalPipeline(options({ generation: 'gen-20261204-000002', failAt: 'Publish generation' }));

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ state: 'Publish generation', error: 'InjectedFailureError' });
    expect(result.statesVisited).toContain('Index images');
    expect(result.statesVisited.slice(-2)).toEqual(['Publish failure event', 'Retraining failed']);
    expect(await new LocalVectorIndex({ root: layout.indexRoot }).resolveAlias(SERVING_ALIAS)).toBe(FIRST);
    expect(await readFile(layout.generationInfo(FIRST), 'utf8')).toBe(before);
    expect(await readFile(layout.rankerModel(FIRST), 'utf8')).toBe(ranker);
    expect((await new LocalSearchService({ stateDir }).health()).generation).toBe(FIRST);
    expect(await readdir(join(stateDir, 'generations'))).toContain('gen-20261204-000002');
  }, 120_000);

  it('fails the Distributed Map when more batches fail than it tolerates, and reports the map as the failing state', async () => {
    const lines: string[] = [];
    const result = await runLocalPipeline(options({ failAt: 'Embed batch', onProgress: (line) => lines.push(line) }));

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ state: 'Embed images', error: 'States.ExceedToleratedFailureThreshold' });
    expect(result.failure?.cause).toMatch(/144 of 144 items failed .*InjectedFailureError/);
    expect(lines.filter((l) => l.includes('failed: InjectedFailureError'))).toHaveLength(4);
    expect(await new LocalVectorIndex({ root: new LocalStateLayout(stateDir).indexRoot }).resolveAlias(SERVING_ALIAS)).toBe(FIRST);
  }, 60_000);

  it('refuses a second run while another holds the guard, naming that run', async () => {
    const other = new LockFileExecutionGuard({ path: join(stateDir, 'pipeline.lock') });
    await other.claim({ runId: 'local-other-run', startedAt: new Date() });
    try {
      await expect(runLocalPipeline(options({}))).rejects.toThrow(ConcurrentRunError);
      await expect(runLocalPipeline(options({}))).rejects.toThrow(/local-other-run/);
    } finally {
      await other.release('local-other-run');
    }
  });
});
