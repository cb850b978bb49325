import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../core/ports/pipeline-control';
import { judgeModelQuality } from '../../core/quality-gate';
import {
  eventLine, followLines, formatDuration, historyLines, outcomeLabel, outcomeLines, teardownPlanLines, teardownResultLines,
} from '../../ops/run-display';

const at = new Date('2026-12-04T09:05:07.250Z');
const later = (seconds: number): Date => new Date(at.getTime() + seconds * 1000);
const serving = { ndcgAt10: 0.41, precisionAt10: 0.18 };

const succeeded: ExecutionSummary = {
  id: 'arn:aws:states:us-east-1:123456789012:execution:Retraining:run-1',
  name: 'run-1',
  status: 'SUCCEEDED',
  startedAt: at,
  stoppedAt: later(754),
  generation: 'gen-20261204-090507',
  quality: judgeModelQuality({ generation: 'gen-20261204-090507', candidate: { ndcgAt10: 0.4234, precisionAt10: 0.2 }, serving, tolerance: 0.02 }),
};
const rejectedVerdict = judgeModelQuality({ generation: 'gen-2', candidate: { ndcgAt10: 0.3, precisionAt10: 0.1 }, serving, tolerance: 0.02 });
const rejected: ExecutionSummary = {
  id: 'arn:local:run-2',
  name: 'run-2',
  status: 'FAILED',
  startedAt: at,
  stoppedAt: later(12.34),
  generation: 'gen-2',
  quality: rejectedVerdict,
  failure: { state: 'Model rejected', error: 'ModelRejected', cause: JSON.stringify(rejectedVerdict) },
};
const failed: ExecutionSummary = {
  id: 'arn:local:run-3',
  name: 'run-3',
  status: 'FAILED',
  startedAt: at,
  stoppedAt: later(3),
  generation: 'gen-3',
  failure: { state: 'Embed images', error: 'States.ExceedToleratedFailureThreshold', cause: 'The Map failed:\n  144 of 144 items failed' },
};
const running: ExecutionSummary = { id: 'arn:local:run-4', name: 'run-4', status: 'RUNNING', startedAt: at };

describe('run events as lines', () => {
  it('shows entered, exited with seconds, and failed with error and cause in the local runner style', () => {
    expect(eventLine({ kind: 'entered', state: 'Embed images', at })).toBe('▶ Embed images');
    expect(eventLine({ kind: 'exited', state: 'Embed images', at, seconds: 3.456 })).toBe('✔ Embed images (3.46 s)');
    expect(eventLine({ kind: 'failed', state: 'Index images', at, seconds: 1.5, error: 'Boom', cause: 'line one\n   line two' }))
      .toBe('✖ Index images failed after 1.50 s: Boom: line one line two');
    expect(eventLine({ kind: 'failed', state: 'Index images', at, error: 'Boom', cause: 'why' })).toBe('✖ Index images failed: Boom: why');
  });

  it('shows the gate rejection as a sentence, not the verdict JSON its cause carries', () => {
    const line = eventLine({ kind: 'failed', state: 'Model rejected', at, seconds: 0, error: 'ModelRejected', cause: JSON.stringify(rejectedVerdict) });
    expect(line).toBe('✖ Model rejected: the new model is worse than the serving one beyond the tolerance');
  });

  it('shows Map progress as succeeded/total with the failed count', () => {
    expect(eventLine({ kind: 'map-progress', state: 'Embed images', at, succeeded: 60, failed: 20, total: 144 }))
      .toBe('    Embed images: 60/144 succeeded (failed 20)');
  });

  it('says a failure was caught when the next event enters another state', () => {
    const failure = { kind: 'failed', state: 'Find serving model', at, seconds: 0, error: 'NotFound', cause: 'no campaign' } as const;
    expect(followLines({ kind: 'entered', state: 'Nothing serving yet', at }, failure)).toEqual([
      '    ↳ caught: the run goes on at "Nothing serving yet"',
      '▶ Nothing serving yet',
    ]);
    expect(followLines({ kind: 'entered', state: 'Next', at }, { kind: 'exited', state: 'Prev', at, seconds: 1 })).toEqual(['▶ Next']);
  });

  it('ends a followed run with a blank line and the outcome block', () => {
    const lines = followLines({ kind: 'finished', at: later(754), execution: succeeded });
    expect(lines[0]).toBe('');
    expect(lines[1]).toBe('Run succeeded in 12 min 34 s: generation gen-20261204-090507 is live');
  });
});

describe('outcome', () => {
  it('labels each kind of ending', () => {
    expect(outcomeLabel(succeeded)).toBe('succeeded');
    expect(outcomeLabel(rejected)).toBe('rejected by quality gate');
    expect(outcomeLabel(failed)).toBe('failed at Embed images');
    expect(outcomeLabel(running)).toBe('running');
    expect(outcomeLabel({ ...failed, status: 'TIMED_OUT', failure: undefined })).toBe('timed out');
    expect(outcomeLabel({ ...failed, failure: undefined })).toBe('failed');
  });

  it('shows a success with both figure sets and the tolerance', () => {
    expect(outcomeLines(succeeded, later(9999))).toEqual([
      'Run succeeded in 12 min 34 s: generation gen-20261204-090507 is live',
      `  execution   run-1  (${succeeded.id})`,
      '  started     2026-12-04 09:05:07 UTC',
      '  candidate   ndcg@10 0.423  p@10 0.200',
      '  serving     ndcg@10 0.410  p@10 0.180  (tolerance 0.020)',
    ]);
  });

  it('says when nothing served before the run', () => {
    const first = { ...succeeded, quality: judgeModelQuality({ generation: 'g', candidate: serving, serving: null, tolerance: 0.02 }) };
    expect(outcomeLines(first, at)).toContain('  serving     none: nothing served before this run');
  });

  it('shows a rejection with both figure sets and every reason, and says the previous generation keeps serving', () => {
    const lines = outcomeLines(rejected, at);
    expect(lines[0]).toBe('Run rejected by the quality gate after 12.3 s: generation gen-2 was not published; the previous generation keeps serving');
    expect(lines).toContain('  candidate   ndcg@10 0.300  p@10 0.100');
    expect(lines).toContain('  serving     ndcg@10 0.410  p@10 0.180  (tolerance 0.020)');
    expect(lines).toContain(`  reasons     ${rejectedVerdict.reasons[0]}`);
    expect(lines).toContain(`              ${rejectedVerdict.reasons[1]}`);
    expect(rejectedVerdict.reasons).toHaveLength(2);
    expect(lines.some((l) => l.includes('error'))).toBe(false);
  });

  it('shows a failure with its state, error and cause on one line', () => {
    const lines = outcomeLines(failed, at);
    expect(lines[0]).toBe('Run FAILED at "Embed images" after 3.0 s: generation gen-3 was not published; the previous generation, if any, keeps serving');
    expect(lines.at(-1)).toBe('  error       States.ExceedToleratedFailureThreshold: The Map failed: 144 of 144 items failed');
  });

  it('shows a run in progress with the time it has run so far', () => {
    expect(outcomeLines(running, later(65))[0]).toBe('Run in progress for 1 min 05 s: building generation (not named yet)');
  });

  it('formats durations in seconds, minutes and hours', () => {
    expect([0.04, 59.94, 60, 3599.4, 3600, 7380].map(formatDuration)).toEqual(['0.0 s', '59.9 s', '1 min 00 s', '59 min 59 s', '1 h 00 min', '2 h 03 min']);
  });
});

describe('history table', () => {
  it('has one aligned row per execution with outcome, start, duration, generation and both figure sets', () => {
    const lines = historyLines([running, rejected, failed, succeeded], later(30));
    expect(lines).toHaveLength(5);
    const cells = lines.map((l) => l.split(/\s{2,}/));
    expect(cells[0]).toEqual(['name', 'outcome', 'started (UTC)', 'duration', 'generation', 'ndcg@10', 'p@10', 'serving ndcg@10', 'serving p@10']);
    expect(cells[1]).toEqual(['run-4', 'running', '2026-12-04 09:05:07', '30.0 s', '-', '-', '-', '-', '-']);
    expect(cells[2]).toEqual(['run-2', 'rejected by quality gate', '2026-12-04 09:05:07', '12.3 s', 'gen-2', '0.300', '0.100', '0.410', '0.180']);
    expect(cells[3]).toEqual(['run-3', 'failed at Embed images', '2026-12-04 09:05:07', '3.0 s', 'gen-3', '-', '-', '-', '-']);
    expect(cells[4]).toEqual(['run-1', 'succeeded', '2026-12-04 09:05:07', '12 min 34 s', 'gen-20261204-090507', '0.423', '0.200', '0.410', '0.180']);
    // Columns line up: every row's outcome column starts where the header's does.
    const column = (lines[0] as string).indexOf('outcome');
    for (const line of lines.slice(1)) expect(line.slice(column - 2, column)).toBe('  ');
  });

  it('says how to start when there is no run', () => {
    expect(historyLines([], at)).toEqual(['No runs yet: start one with "npm run cli -- run".']);
  });
});

describe('teardown lines', () => {
  it('lists the plan with notes, or says there is nothing to delete', () => {
    expect(teardownPlanLines([])).toEqual(['Nothing to delete: no resources left behind by runs.']);
    expect(teardownPlanLines([{ kind: 'index generation', id: 'gen-1', note: '144 images, not served' }, { kind: 'campaign', id: 'arn:c' }])).toEqual([
      'Teardown will delete 2 items:',
      '  index generation  gen-1  (144 images, not served)',
      '  campaign          arn:c',
    ]);
  });

  it('says what was deleted and what was left with the reason', () => {
    expect(teardownResultLines({ deleted: [{ kind: 'campaign', id: 'arn:c' }], left: [] })).toEqual(['Deleted 1 item.']);
    expect(teardownResultLines({ deleted: [], left: [{ kind: 'solution', id: 'arn:s', reason: 'ResourceInUseException' }] })).toEqual([
      'Deleted 0 items.',
      'Could not delete 1 item:',
      '  solution  arn:s: ResourceInUseException',
    ]);
  });
});
