import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendRunRecord, readRunLog, readRunRecords, runLogPath } from '../../../core/local/local-run-log';
import type { ExecutionSummary } from '../../../core/ports/pipeline-control';

const passed: ExecutionSummary = {
  id: 'arn:aws:states:local:000000000000:execution:retraining:local-1',
  name: 'local-1',
  status: 'SUCCEEDED',
  startedAt: new Date('2026-12-04T10:00:00.000Z'),
  stoppedAt: new Date('2026-12-04T10:00:12.500Z'),
  generation: 'gen-1',
  quality: { passed: true, generation: 'gen-1', candidate: { ndcgAt10: 0.9, precisionAt10: 0.3 }, serving: null, tolerance: 0.02, reasons: [] },
};
const rejected: ExecutionSummary = {
  id: 'arn:aws:states:local:000000000000:execution:retraining:local-2',
  name: 'local-2',
  status: 'FAILED',
  startedAt: new Date('2026-12-05T10:00:00.000Z'),
  stoppedAt: new Date('2026-12-05T10:00:09.000Z'),
  generation: 'gen-2',
  quality: {
    passed: false,
    generation: 'gen-2',
    candidate: { ndcgAt10: 0.4, precisionAt10: 0.1 },
    serving: { ndcgAt10: 0.9, precisionAt10: 0.3 },
    tolerance: 0.02,
    reasons: ['ndcg@10 0.400 is 0.500 below the serving model\'s 0.900 (tolerance 0.02)'],
  },
  failure: { state: 'Model rejected', error: 'ModelRejected', cause: '{"passed":false}' },
};

describe('local run log', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'run-log-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('reads an absent log as no runs', async () => {
    expect(await readRunLog(join(stateDir, 'missing'))).toEqual({ records: [], malformedLines: 0 });
  });

  it('gives back appended runs oldest first, with their dates as Dates', async () => {
    await appendRunRecord(stateDir, passed);
    await appendRunRecord(stateDir, rejected);
    const records = await readRunRecords(stateDir);
    expect(records).toEqual([passed, rejected]);
    expect(records[1]?.startedAt).toBeInstanceOf(Date);
    expect((await readFile(runLogPath(stateDir), 'utf8')).split('\n')).toHaveLength(3);
  });

  it('keeps a run without a stop time, generation, verdict or failure as such', async () => {
    const bare: ExecutionSummary = { id: 'x', name: 'x', status: 'RUNNING', startedAt: new Date('2026-01-01T00:00:00Z') };
    await appendRunRecord(stateDir, bare);
    expect(await readRunRecords(stateDir)).toEqual([bare]);
  });

  it('skips and counts malformed lines instead of failing, and still reads the good ones', async () => {
    await appendRunRecord(stateDir, passed);
    await appendFile(runLogPath(stateDir), 'not json\n{"id":"y","name":"y","status":"DONE","startedAt":"2026-01-01T00:00:00Z"}\n[]\n');
    await appendFile(runLogPath(stateDir), '{"id":"z","name":"z","status":"FAILED","startedAt":"yesterday"}\n');
    await appendRunRecord(stateDir, rejected);
    expect(await readRunLog(stateDir)).toEqual({ records: [passed, rejected], malformedLines: 4 });
  });

  it('starts a new line after a record torn by a crash, so the next run is still readable', async () => {
    await writeFile(runLogPath(stateDir), `${JSON.stringify({ id: 'torn', name: 'torn' }).slice(0, 15)}`);
    await appendRunRecord(stateDir, passed);
    expect(await readRunLog(stateDir)).toEqual({ records: [passed], malformedLines: 1 });
  });
});
