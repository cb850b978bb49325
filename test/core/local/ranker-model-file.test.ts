import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../core/errors';
import { LocalRanker } from '../../../core/local/local-ranker';
import { loadRankerModel, saveRankerModel } from '../../../core/local/ranker-model-file';
import { trainLocalRanker } from '../../../core/local/ranker-training';
import { END_TIMESTAMP, item, syntheticInteractions } from './synthetic-interactions';

const data = syntheticInteractions({ users: 40, clusters: 8, groupSize: 2, eventsPerUser: 30, seed: 11 });
const model = trainLocalRanker(data.rows);
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ranker-test-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
const view = (cluster: number, offset: number) => ({ eventType: 'favorite' as const, itemId: item(cluster), sentAt: new Date((END_TIMESTAMP + offset) * 1000) });

describe('ranker model file', () => {
  it('round-trips a model: same version, same factors, same rankings, no temp file left', async () => {
    const dir = await tempDir();
    const path = join(dir, 'gen-1', 'ranker.json');
    await saveRankerModel(model, path);
    const loaded = await loadRankerModel(path);
    expect(loaded.version).toBe(model.version);
    expect(loaded.hyperParameters).toEqual(model.hyperParameters);
    expect(Array.from(loaded.userFactors)).toEqual(Array.from(model.userFactors));
    expect(loaded.histories).toEqual(model.histories);
    for (const userId of ['user-0000', 'user-0017', 'nobody']) {
      const request = { userId, inputList: data.items };
      expect(await new LocalRanker(loaded).rank(request)).toEqual(await new LocalRanker(model).rank(request));
    }
    expect(await readdir(join(dir, 'gen-1'))).toEqual(['ranker.json']);
  });

  it('refuses a missing file, another format version, and inconsistent sizes', async () => {
    const dir = await tempDir();
    await expect(loadRankerModel(join(dir, 'none.json'))).rejects.toBeInstanceOf(NotFoundError);
    const path = join(dir, 'model.json');
    await saveRankerModel(model, path);
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...file, formatVersion: 99 }));
    await expect(loadRankerModel(path)).rejects.toThrow(/format local-ranker-model v99, expected local-ranker-model v1: retrain/);
    await writeFile(path, JSON.stringify({ ...file, itemFactors: [1, 2, 3] }));
    await expect(loadRankerModel(path)).rejects.toThrow(ValidationError);
  });
});

describe('event log replay', () => {
  it('replays logged events after a restart so rankings are unchanged', async () => {
    const dir = await tempDir();
    const eventLogPath = join(dir, 'events', 'events.jsonl');
    const first = await LocalRanker.open(model, { eventLogPath });
    await first.putEvents({ userId: 'fresh', sessionId: 's1', events: [view(6, 10), view(6, 20), view(6, 30)] });
    await first.putEvents({ userId: 'user-0001', sessionId: 's2', events: [view(3, 40)] });
    const request = { userId: 'fresh', inputList: data.items };
    const restarted = await LocalRanker.open(model, { eventLogPath });
    expect(restarted.hasHistory('fresh')).toBe(true);
    expect(await restarted.rank(request)).toEqual(await first.rank(request));
    expect(await restarted.rank({ ...request, userId: 'user-0001' })).toEqual(await first.rank({ ...request, userId: 'user-0001' }));
    expect((await restarted.rank(request))[0]?.itemId).toBe(item(6));
    expect(await new LocalRanker(model).rank(request)).not.toEqual(await first.rank(request));
    expect((await readFile(eventLogPath, 'utf8')).trimEnd().split('\n')).toHaveLength(4);
  });

  it('drops a torn last line and keeps appending on a fresh line', async () => {
    const dir = await tempDir();
    const eventLogPath = join(dir, 'events.jsonl');
    const first = await LocalRanker.open(model, { eventLogPath });
    await first.putEvents({ userId: 'fresh', sessionId: 's1', events: [view(2, 10)] });
    await appendFile(eventLogPath, '{"userId":"fresh","sessi'); // a crash mid-append
    const second = await LocalRanker.open(model, { eventLogPath });
    await second.putEvents({ userId: 'fresh', sessionId: 's1', events: [view(2, 20)] });
    const third = await LocalRanker.open(model, { eventLogPath });
    const request = { userId: 'fresh', inputList: data.items };
    expect(await third.rank(request)).toEqual(await second.rank(request));
  });

  it('keeps a complete last event that only lacks its newline', async () => {
    const dir = await tempDir();
    const eventLogPath = join(dir, 'events.jsonl');
    await writeFile(eventLogPath, JSON.stringify({ userId: 'fresh', sessionId: 's', eventType: 'favorite', itemId: item(5), sentAt: '2026-06-01T00:00:00.000Z' }));
    const second = await LocalRanker.open(model, { eventLogPath });
    await second.putEvents({ userId: 'fresh', sessionId: 's1', events: [view(5, 20)] });
    const third = await LocalRanker.open(model, { eventLogPath });
    expect((await readFile(eventLogPath, 'utf8')).trimEnd().split('\n')).toHaveLength(2);
    const request = { userId: 'fresh', inputList: data.items };
    expect(await third.rank(request)).toEqual(await second.rank(request));
  });

  it('refuses a log with a corrupt line in the middle, naming the line', async () => {
    const dir = await tempDir();
    const eventLogPath = join(dir, 'events.jsonl');
    await writeFile(eventLogPath, 'not json\n{"userId":"u","sessionId":"s","eventType":"view","itemId":"x","sentAt":"2026-01-01T00:00:00Z"}\n');
    await expect(LocalRanker.open(model, { eventLogPath })).rejects.toThrow(/line 1 is not a valid event/);
    await writeFile(eventLogPath, '{"userId":"u","sessionId":"s","eventType":"click","itemId":"x","sentAt":"2026-01-01T00:00:00Z"}\n');
    await expect(LocalRanker.open(model, { eventLogPath })).rejects.toThrow(/event 1 is invalid: .*"click"/);
  });
});
