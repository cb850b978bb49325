import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalVectorIndex } from '../../core/local/hnsw-vector-index';
import { readGenerationInfo } from '../../core/local/local-generation';
import { readRunLog } from '../../core/local/local-run-log';
import { LocalStateLayout, SERVING_ALIAS } from '../../core/local/local-state';
import { MODEL_REJECTED_ERROR } from '../../core/ports/pipeline-control';
import type { RunEvent } from '../../core/ports/pipeline-control';
import type { QualityVerdict } from '../../core/quality-gate';
import { createRandom } from '../../core/random';
import { LocalSearchService } from '../../serving/local-search-service';
import { PIPELINE_EVENT_LOG } from '../../state-machines/local-handlers';
import { runLocalPipeline } from '../../state-machines/local-runner';
import type { LocalPipelineOptions } from '../../state-machines/local-runner';
import { QUALITY_DETAIL_TYPE } from '../../state-machines/quality-gate-steps';
import { FAILURE_DETAIL_TYPE } from '../../state-machines/retraining-state-machine';
import { sampleLibrary } from '../fixtures/sample-library';

// The stack's k (48 clusters): with fewer clusters than 10, precision@10 counts every cluster and says nothing.
// One run takes ~4 s on 2 cores.
const FAST = { k: 48, embedderEpochs: 5, embedBatchSize: 40, maxConcurrency: 2 } as const;
const FIRST = 'gen-20261205-000001';
const DEGRADED = 'gen-20261205-000002';
const THIRD = 'gen-20261205-000003';
const FORCED = 'gen-20261205-000004';

interface LoggedEvent {
  readonly DetailType: string;
  readonly Detail: Record<string, unknown>;
}

/** The library with its interactions' item column shuffled across rows: the same volume, every user's taste gone. */
async function degradedCopy(dataDir: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  for (const entry of await readdir(dataDir)) if (entry !== 'interactions.csv') await symlink(join(dataDir, entry), join(into, entry));
  const [header, ...rows] = (await readFile(join(dataDir, 'interactions.csv'), 'utf8')).trimEnd().split('\n');
  const cells = rows.map((row) => row.split(','));
  const items = createRandom(9).shuffle(cells.map((c) => c[1] as string));
  await writeFile(join(into, 'interactions.csv'), `${[header, ...cells.map((c, i) => [c[0], items[i], c[2], c[3]].join(','))].join('\n')}\n`);
  return into;
}

describe('the quality gate on the local pipeline', () => {
  let dir: string;
  let dataDir: string;
  let degradedDir: string;
  let stateDir: string;
  let layout: LocalStateLayout;
  const options = (more: Partial<LocalPipelineOptions>): LocalPipelineOptions => ({ dataDir, stateDir, ...FAST, ...more });
  const loggedEvents = async (): Promise<LoggedEvent[]> =>
    (await readFile(PIPELINE_EVENT_LOG(stateDir), 'utf8')).trimEnd().split('\n').map((line) => JSON.parse(line) as LoggedEvent);
  const alias = () => new LocalVectorIndex({ root: layout.indexRoot }).resolveAlias(SERVING_ALIAS);
  let firstVerdict: QualityVerdict;

  beforeAll(async () => {
    dataDir = await sampleLibrary({ perPair: 3 });
    dir = await mkdtemp(join(tmpdir(), 'quality-gate-'));
    degradedDir = await degradedCopy(dataDir, join(dir, 'degraded-library'));
    stateDir = join(dir, 'state');
    layout = new LocalStateLayout(stateDir);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the first model, when nothing serves yet, and keeps its figures with the generation', async () => {
    const events: RunEvent[] = [];
    const result = await runLocalPipeline(options({ generation: FIRST, onEvent: (event) => events.push(event) }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesVisited).toEqual(expect.arrayContaining(['Find serving model', 'Nothing serving yet', 'Check model quality', 'Model good enough?', 'Create campaign']));
    expect(result.statesVisited).not.toContain('Get serving metrics');
    expect(result.quality).toMatchObject({ passed: true, generation: FIRST, serving: null, reasons: [] });
    firstVerdict = result.quality as QualityVerdict;
    // Measured on the sample: ndcg@10 0.680, precision@10 0.258.
    expect(firstVerdict.candidate.ndcgAt10).toBeGreaterThan(0.5);
    expect((await readGenerationInfo(layout, FIRST)).quality).toEqual(firstVerdict.candidate);
    expect(result.failure).toBeUndefined();

    const [checked] = (await loggedEvents()).filter((e) => e.DetailType === QUALITY_DETAIL_TYPE);
    expect(checked?.Detail).toMatchObject({ execution: result.executionId, generation: FIRST, passed: true, serving: null, candidate: firstVerdict.candidate });
    const succeeded = (await loggedEvents()).find((e) => e.DetailType === 'Retraining Succeeded');
    expect(succeeded?.Detail.quality).toEqual(firstVerdict);

    // The run as RunEvents: the runner's own steps, each state, the Map's progress, and the outcome last.
    expect(events.slice(0, 4).map((e) => [e.kind, 'state' in e ? e.state : ''])).toEqual([
      ['entered', 'Train local embedder'], ['exited', 'Train local embedder'], ['entered', 'Stage interactions'], ['exited', 'Stage interactions'],
    ]);
    expect(events.filter((e) => e.kind === 'map-progress').at(-1)).toMatchObject({ state: 'Embed images', succeeded: 144, failed: 0, total: 144 });
    expect(events.filter((e) => e.kind === 'entered').map((e) => (e as { state: string }).state).slice(2)).toEqual(result.statesVisited);
    const finished = events.at(-1);
    expect(finished).toMatchObject({ kind: 'finished', execution: { id: result.executionId, status: 'SUCCEEDED', generation: FIRST, quality: firstVerdict } });
  }, 120_000);

  it('rejects a model trained on shuffled interactions: the run fails at "Model rejected" and the first generation keeps serving', async () => {
    const published = await readFile(join(stateDir, 'published.json'), 'utf8');
    const personalizeBefore = JSON.parse(await readFile(join(stateDir, 'personalize.json'), 'utf8')) as { campaigns: Record<string, string> };
    const lines: string[] = [];
    const result = await runLocalPipeline(options({ dataDir: degradedDir, generation: DEGRADED, onProgress: (line) => lines.push(line) }));

    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ state: 'Model rejected', error: MODEL_REJECTED_ERROR });
    const verdict = JSON.parse(result.failure?.cause ?? '') as QualityVerdict;
    expect(verdict).toEqual(result.quality);
    expect(verdict).toMatchObject({ passed: false, generation: DEGRADED, serving: firstVerdict.candidate, tolerance: 0.02 });
    // Measured: ndcg@10 0.423 against 0.680, precision@10 0.216 against 0.258.
    expect(verdict.candidate.ndcgAt10).toBeLessThan(firstVerdict.candidate.ndcgAt10 - 0.1);
    expect(verdict.candidate.precisionAt10).toBeLessThan(firstVerdict.candidate.precisionAt10);
    expect(verdict.reasons[0]).toMatch(/^ndcg@10 0\.\d{3} is 0\.\d{3} below the serving model's 0\.\d{3} \(tolerance 0\.02\)$/);

    // Nothing past the gate ran: not the campaign, the index, the alias swap or the failure path.
    expect(result.statesVisited.slice(-3)).toEqual(['Publish quality event', 'Model good enough?', 'Model rejected']);
    for (const state of ['Create campaign', 'Update campaign', 'Index images', 'Publish generation', 'Publish failure event', 'Retraining failed']) {
      expect(result.statesVisited).not.toContain(state);
    }
    expect(await alias()).toBe(FIRST);
    expect(await readFile(join(stateDir, 'published.json'), 'utf8')).toBe(published);
    expect((JSON.parse(await readFile(join(stateDir, 'personalize.json'), 'utf8')) as typeof personalizeBefore).campaigns).toEqual(personalizeBefore.campaigns);
    expect((await new LocalSearchService({ stateDir }).health()).generation).toBe(FIRST);

    const events = await loggedEvents();
    const checked = events.filter((e) => e.DetailType === QUALITY_DETAIL_TYPE).at(-1);
    expect(checked?.Detail).toMatchObject({ execution: result.executionId, generation: DEGRADED, passed: false, candidate: verdict.candidate, serving: firstVerdict.candidate });
    expect(events.filter((e) => e.DetailType === FAILURE_DETAIL_TYPE)).toEqual([]);

    expect(lines).toContain(
      `Run REJECTED by the quality gate: the model trained for generation ${DEGRADED} is worse than the serving one; nothing was published and the previous generation keeps serving`,
    );
    expect(lines.some((line) => line.startsWith('  serving model:   ndcg@10 0.'))).toBe(true);
    expect(lines).toContain(`    - ${verdict.reasons[0]}`);
  }, 120_000);

  it('passes a model as good as the serving one, and keeps every run with its verdict in runs.jsonl', async () => {
    const result = await runLocalPipeline(options({ generation: THIRD }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.statesVisited).toContain('Get serving metrics');
    expect(result.quality).toMatchObject({ passed: true, serving: firstVerdict.candidate });
    // The same library, the same seed: the same figures as the first model.
    expect(result.quality?.candidate).toEqual(firstVerdict.candidate);
    expect(await alias()).toBe(THIRD);

    const log = await readRunLog(stateDir);
    expect(log.malformedLines).toBe(0);
    expect(log.records.map((r) => [r.generation, r.status, r.quality?.passed, r.failure?.error])).toEqual([
      [FIRST, 'SUCCEEDED', true, undefined],
      [DEGRADED, 'FAILED', false, MODEL_REJECTED_ERROR],
      [THIRD, 'SUCCEEDED', true, undefined],
    ]);
    expect(log.records[1]?.quality?.serving).toEqual(firstVerdict.candidate);
    expect(log.records[2]?.id).toBe(result.executionId);
    for (const record of log.records) expect(record.stoppedAt?.getTime()).toBeGreaterThanOrEqual(record.startedAt.getTime());
  }, 120_000);

  it('lets the degraded model through for one run whose input raises the tolerance, as an operator would when the data changed', async () => {
    const result = await runLocalPipeline(options({ dataDir: degradedDir, generation: FORCED, qualityTolerance: 1 }));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.quality).toMatchObject({ passed: true, tolerance: 1, serving: firstVerdict.candidate, reasons: [] });
    expect(result.quality?.candidate.ndcgAt10).toBeLessThan(firstVerdict.candidate.ndcgAt10 - 0.1);
    expect(await alias()).toBe(FORCED);
  }, 120_000);
});
