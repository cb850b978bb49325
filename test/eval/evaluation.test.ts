import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEvaluation, type EvaluationReport } from '../../eval/evaluation';
import { holdOutLatest } from '../../core/interaction-split';
import { sampleLibrary } from '../fixtures/sample-library';

// The default sample (20 variants per pair): the targets are stated for it, and a smaller library trains a
// weaker embedder (fewer than ~15 training images per pair lose subject precision). test/global-setup.ts builds it once.
const PER_PAIR = 20;

describe('runEvaluation on a generated library', () => {
  let report: EvaluationReport;
  let workDir: string;

  beforeAll(async () => {
    const dataDir = await sampleLibrary({ perPair: PER_PAIR });
    workDir = await mkdtemp(join(tmpdir(), 'eval-test-'));
    report = await runEvaluation({ dataDir, workDir, k: 48, holdOut: 5 });
  }, 300_000);

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const figures = (name: string) => {
    const found = report.strategies.find((s) => s.name === name);
    if (!found) throw new Error(`no figures for ${name}`);
    return found;
  };

  it('gives the style users their style on "cat", a subject none of them touched, without losing the subject', () => {
    for (const user of ['comic-art-user', 'neon-punk-user', 'origami-clay-user']) {
      expect(report.namedUsersCat[user]?.stylePrecision, user).toBeGreaterThanOrEqual(0.8);
      expect(report.namedUsersCat[user]?.subjectPrecision, user).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('keeps every user on subject with the default strategy', () => {
    expect(figures(report.defaultStrategy).minUserSubjectPrecision).toBeGreaterThanOrEqual(0.9);
  });

  it('beats the non-personalised baseline on NDCG@10 by at least 30% relative', () => {
    expect(figures(report.defaultStrategy).ndcg / figures('baseline').ndcg).toBeGreaterThanOrEqual(1.3);
  });

  it('follows a new user to their style within 5 events, starting from exactly the baseline', () => {
    expect(report.adaptation.coldStartMatchesBaseline).toBe(true);
    expect(report.adaptation.eventsToReach70).not.toBeNull();
    expect(report.adaptation.eventsToReach70 as number).toBeLessThanOrEqual(5);
  });

  it("gives the style-switch user the newer style once their latest events arrive", () => {
    const s = report.styleSwitch;
    expect(s).not.toBeNull();
    expect(s?.afterReplayingLatest.afterShare).toBeGreaterThan(s?.afterReplayingLatest.beforeShare as number);
    expect(s?.afterReplayingLatest.afterShare).toBeGreaterThanOrEqual(0.7);
  });

  it('predicts held-out events better than popularity', () => {
    expect(report.heldOutClusterHitAt5.personalized).toBeGreaterThan(report.heldOutClusterHitAt5.popularity);
  });
});

describe('holdOutLatest', () => {
  it("holds out each user's newest events and keeps at least two for training", () => {
    const rows = [
      { userId: 'a', itemId: 'x', timestamp: 3, eventType: 'view' as const },
      { userId: 'a', itemId: 'y', timestamp: 1, eventType: 'view' as const },
      { userId: 'a', itemId: 'z', timestamp: 2, eventType: 'view' as const },
      { userId: 'a', itemId: 'w', timestamp: 4, eventType: 'view' as const },
      { userId: 'b', itemId: 'x', timestamp: 5, eventType: 'view' as const },
      { userId: 'b', itemId: 'y', timestamp: 6, eventType: 'view' as const },
    ];
    const split = holdOutLatest(rows, 2);
    expect(split.heldOut.get('a')?.map((r) => r.itemId)).toEqual(['x', 'w']);
    expect(split.heldOut.has('b')).toBe(false);
    expect(split.train.map((r) => `${r.userId}${r.itemId}`)).toEqual(['ay', 'az', 'bx', 'by']);
  });
});
