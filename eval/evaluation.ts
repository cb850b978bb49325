/**
 * The offline evaluation behind `npm run eval`: builds a generation from the library with each user's latest events
 * held out, then measures what users would see for the eight subject queries under the non-personalised baseline and
 * each fusion strategy, how fast a new user's results follow their clicks, and whether a user who switched style gets
 * the newer one.
 */
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { clusterItemId } from '../core/cluster-items';
import { ValidationError } from '../core/errors';
import { rerank, type FusedResult, type FusionStrategy } from '../core/fusion';
import { readManifest, type ManifestEntry } from '../core/image-manifest';
import { formatCsvLine, INTERACTIONS_COLUMNS, readInteractionRows } from '../core/interactions';
import { FolderObjectStore } from '../core/local/folder-object-store';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { LocalEmbedder } from '../core/local/local-embedder';
import { buildLocalGeneration } from '../state-machines/local-build';
import { LocalRanker } from '../core/local/local-ranker';
import { LocalStateLayout } from '../core/local/local-state';
import { loadRankerModel } from '../core/local/ranker-model-file';
import { mean, ndcgAtK, precisionAtK } from '../core/metrics';
import { DEFAULT_WEIGHT, embedQuery, rankClusters, type SearchGeneration } from '../core/personalized-search';
import type { SearchHit } from '../core/ports/vector-index';
import { holdOutLatest } from '../core/interaction-split';
import { readUserTastes, type UserTaste } from './user-tastes';

export interface EvaluationOptions {
  readonly dataDir: string;
  /** Scratch folder for the evaluation's own generation; emptied first. */
  readonly workDir: string;
  /** @default 48 */
  readonly k?: number;
  readonly seed?: number;
  /** Latest events per user held out of training. @default 5 */
  readonly holdOut?: number;
  /** @default [0.25, 0.5, 0.75] */
  readonly weights?: readonly number[];
  /** The weight serving uses by default (with the weighted mean). @default DEFAULT_WEIGHT */
  readonly defaultWeight?: number;
  /** k-NN hits re-ranked. @default 100 */
  readonly candidates?: number;
  /** Events a new user records in the adaptation curve. @default 10 */
  readonly adaptationEvents?: number;
  readonly embedderEpochs?: number;
  readonly onStep?: (step: string, detail: string) => void;
}

export interface StrategyFigures {
  readonly name: string;
  readonly strategy: FusionStrategy | 'baseline';
  readonly weight: number;
  readonly subjectPrecision: number;
  readonly stylePrecision: number;
  readonly ndcg: number;
  /** The lowest per-user mean subject precision@10 (over the subject queries). */
  readonly minUserSubjectPrecision: number;
}

export interface TopResult {
  readonly imageId: string;
  readonly subject: string;
  readonly style: string;
}

export interface EvaluationReport {
  readonly library: { readonly images: number; readonly users: number; readonly trainRows: number; readonly heldOutRows: number };
  readonly generation: string;
  readonly k: number;
  readonly queries: readonly string[];
  readonly strategies: readonly StrategyFigures[];
  readonly defaultStrategy: string;
  readonly namedUsersCat: Readonly<Record<string, { readonly stylePrecision: number; readonly subjectPrecision: number; readonly top10: readonly TopResult[] }>>;
  readonly adaptation: {
    /** Mean style precision@10 over styles and queries after 0..n events. */
    readonly curve: readonly number[];
    readonly byStyle: Readonly<Record<string, readonly number[]>>;
    /** Events a new user needed before the mean curve reached 0.7, or null. */
    readonly eventsToReach70: number | null;
    /** With no events a new user's results equal the baseline exactly. */
    readonly coldStartMatchesBaseline: boolean;
  };
  readonly styleSwitch: {
    readonly userId: string;
    readonly before: string;
    readonly after: string;
    readonly trainedOnly: { readonly afterShare: number; readonly beforeShare: number };
    readonly afterReplayingLatest: { readonly afterShare: number; readonly beforeShare: number; readonly events: number };
  } | null;
  /** Share of held-out events whose cluster is among the user's top 5 clusters: the ranker vs popularity. */
  readonly heldOutClusterHitAt5: { readonly personalized: number; readonly popularity: number };
  readonly seconds: number;
}

const TOP = 10;

export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const step = options.onStep ?? (() => undefined);
  const k = options.k ?? 48;
  const seed = options.seed ?? 42;
  const weights = options.weights ?? [0.25, 0.5, 0.75];
  const defaultWeight = options.defaultWeight ?? DEFAULT_WEIGHT;
  const candidates = options.candidates ?? 100;
  for (const w of [...weights, defaultWeight]) {
    if (!(w >= 0 && w <= 1)) throw new ValidationError(`weight ${w} is outside [0, 1]`, { field: 'weights' });
  }

  const data = new FolderObjectStore({ root: options.dataDir });
  const manifest = await readManifest(data.readLines('manifest.jsonl'));
  const tastes = await readUserTastes(join(options.dataDir, 'users.json'));
  const rows = [];
  for await (const row of readInteractionRows(data.readLines('interactions.csv'))) rows.push(row);
  const split = holdOutLatest(rows, options.holdOut ?? 5);
  const heldOutRows = [...split.heldOut.values()].reduce((n, list) => n + list.length, 0);
  step('split', `${split.train.length} training rows, ${heldOutRows} held out (latest ${options.holdOut ?? 5} per user)`);

  const workData = await prepareTrainingLibrary(options.dataDir, options.workDir, split.train);
  const stateDir = join(options.workDir, 'state');
  const info = await buildLocalGeneration({
    dataDir: workData,
    stateDir,
    k,
    seed,
    ...(options.embedderEpochs !== undefined && { embedderEpochs: options.embedderEpochs }),
    onStep: (name, detail) => step(name, detail),
  });
  const layout = new LocalStateLayout(stateDir);
  const embedder = await LocalEmbedder.load(layout.embedderModel(info.generation));
  const rankerModel = await loadRankerModel(layout.rankerModel(info.generation));
  const index = new LocalVectorIndex({ root: layout.indexRoot });
  const generation: SearchGeneration = { generation: info.generation, clusterGeneration: info.clusterGeneration, clusterCount: info.clusterCount };
  const byId = new Map(manifest.map((m) => [m.imageId, m]));
  const clusterOf = new Map<string, number>();

  const queries = [...new Set(manifest.map((m) => m.metadata.subject).filter((s): s is string => s !== undefined))].sort();
  if (queries.length === 0) throw new ValidationError('the manifest has no "subject" fields to build queries from', { field: 'manifest' });
  const hitsByQuery = new Map<string, SearchHit[]>();
  for (const query of queries) {
    const vector = await embedQuery(embedder, { text: query });
    const hits = await index.search({ generation: info.generation }, vector, { k: candidates });
    hitsByQuery.set(query, hits);
  }
  for await (const line of new FolderObjectStore({ root: layout.generationDir(info.generation) }).readLines('assignments.jsonl')) {
    const { imageId, cluster } = JSON.parse(line) as { imageId: string; cluster: number };
    clusterOf.set(imageId, cluster);
  }
  const pool = [...clusterOf.keys()];

  // Each configuration's figures, per user and query.
  const ranker = new LocalRanker(rankerModel);
  const configs: { name: string; strategy: FusionStrategy | 'baseline'; weight: number }[] = [
    { name: 'baseline', strategy: 'baseline', weight: 0 },
    ...(['weighted-mean', 'rank-fusion', 'replace'] as const).flatMap((strategy) => weights.map((weight) => ({ name: `${strategy} w=${weight}`, strategy, weight }))),
  ];
  const sums = configs.map(() => ({ subject: [] as number[], style: [] as number[], ndcg: [] as number[], perUser: [] as number[] }));
  const users = [...tastes.values()];
  const preferencesOf = new Map<string, ReadonlyMap<number, number> | undefined>();
  for (const user of users) {
    const preferences = ranker.hasHistory(user.userId) ? await rankClusters(ranker, user.userId, generation) : undefined;
    preferencesOf.set(user.userId, preferences);
    configs.forEach((config, c) => {
      const perQuerySubject: number[] = [];
      for (const query of queries) {
        const top = ids(rank(hitsByQuery.get(query) as SearchHit[], config.strategy === 'baseline' ? undefined : preferences, config.strategy, config.weight));
        const subjectP = precisionAtK(top, (id) => byId.get(id)?.metadata.subject === query, TOP);
        perQuerySubject.push(subjectP);
        const bucket = sums[c] as (typeof sums)[number];
        bucket.subject.push(subjectP);
        bucket.style.push(precisionAtK(top, (id) => user.preferredStyles.has(byId.get(id)?.metadata.style ?? ''), TOP));
        bucket.ndcg.push(ndcgAtK(top, (id) => relevance(byId.get(id), query, user), TOP, { pool }));
      }
      (sums[c] as (typeof sums)[number]).perUser.push(mean(perQuerySubject));
    });
  }
  const strategies: StrategyFigures[] = configs.map((config, c) => {
    const bucket = sums[c] as (typeof sums)[number];
    return {
      ...config,
      subjectPrecision: mean(bucket.subject),
      stylePrecision: mean(bucket.style),
      ndcg: mean(bucket.ndcg),
      minUserSubjectPrecision: Math.min(...bucket.perUser),
    };
  });
  step('strategies', `${users.length} users x ${queries.length} queries x ${configs.length} configurations`);

  const topFor = (userId: string, query: string): FusedResult[] =>
    rank(hitsByQuery.get(query) as SearchHit[], preferencesOf.get(userId), 'weighted-mean', defaultWeight);
  const namedUsersCat: Record<string, { stylePrecision: number; subjectPrecision: number; top10: TopResult[] }> = {};
  const catQuery = queries.includes('cat') ? 'cat' : (queries[0] as string);
  for (const user of users.filter((u) => u.kind === 'named')) {
    const top = topFor(user.userId, catQuery);
    namedUsersCat[user.userId] = {
      stylePrecision: precisionAtK(ids(top), (id) => user.preferredStyles.has(byId.get(id)?.metadata.style ?? ''), TOP),
      subjectPrecision: precisionAtK(ids(top), (id) => byId.get(id)?.metadata.subject === catQuery, TOP),
      top10: top.map((r) => ({ imageId: r.id, subject: r.metadata.subject ?? '', style: r.metadata.style ?? '' })),
    };
  }

  const adaptation = await adaptationCurve(ranker, generation, manifest, clusterOf, hitsByQuery, queries, defaultWeight, options.adaptationEvents ?? 10);
  step('adaptation', `curve ${adaptation.curve.map((v) => v.toFixed(2)).join(' ')}`);

  const styleSwitch = await styleSwitchFigures(ranker, generation, users, split.heldOut, clusterOf, hitsByQuery, queries, byId, defaultWeight);
  const heldOutClusterHitAt5 = await heldOutHits(ranker, generation, split.heldOut, clusterOf);

  return {
    library: { images: manifest.length, users: users.length, trainRows: split.train.length, heldOutRows },
    generation: info.generation,
    k,
    queries,
    strategies,
    defaultStrategy: `weighted-mean w=${defaultWeight}`,
    namedUsersCat,
    adaptation,
    styleSwitch,
    heldOutClusterHitAt5,
    seconds: (performance.now() - started) / 1000,
  };
}

function rank(hits: readonly SearchHit[], preferences: ReadonlyMap<number, number> | undefined, strategy: FusionStrategy | 'baseline', weight: number): FusedResult[] {
  return strategy === 'baseline' ? rerank(hits, undefined, { weight: 0, k: TOP }) : rerank(hits, preferences, { strategy, weight, k: TOP });
}

function ids(results: readonly FusedResult[]): string[] {
  return results.map((r) => r.id);
}

/** Graded relevance: the query's subject in one of the user's styles 2, the subject alone 1. */
function relevance(entry: ManifestEntry | undefined, query: string, user: UserTaste): number {
  if (entry?.metadata.subject !== query) return 0;
  return user.preferredStyles.has(entry.metadata.style ?? '') ? 2 : 1;
}

/** A copy of the library whose interactions are the training split; images are linked, not copied. */
async function prepareTrainingLibrary(dataDir: string, workDir: string, train: readonly { userId: string; itemId: string; timestamp: number; eventType: string }[]): Promise<string> {
  await rm(workDir, { recursive: true, force: true });
  const workData = join(workDir, 'data');
  await mkdir(workData, { recursive: true });
  for (const entry of await readdir(dataDir)) {
    if (entry === 'interactions.csv') continue;
    await symlink(resolve(dataDir, entry), join(workData, entry));
  }
  const store = new FolderObjectStore({ root: workData });
  await store.writeLines('interactions.csv', [
    formatCsvLine([...INTERACTIONS_COLUMNS]),
    ...train.map((r) => formatCsvLine([r.userId, r.itemId, String(r.timestamp), r.eventType])),
  ]);
  return workData;
}

async function adaptationCurve(
  ranker: LocalRanker,
  generation: SearchGeneration,
  manifest: readonly ManifestEntry[],
  clusterOf: ReadonlyMap<string, number>,
  hitsByQuery: ReadonlyMap<string, SearchHit[]>,
  queries: readonly string[],
  weight: number,
  events: number,
): Promise<EvaluationReport['adaptation']> {
  const styles = [...new Set(manifest.map((m) => m.metadata.style).filter((s): s is string => s !== undefined))].sort();
  const byStyle: Record<string, number[]> = {};
  const styleOf = new Map(manifest.map((m) => [m.imageId, m.metadata.style]));
  let coldStartMatchesBaseline = true;
  for (const style of styles) {
    const userId = `eval-new-user-${style}`;
    // Views of the style over varied subjects, in a fixed order: the clicks a new user would make while browsing.
    const clicks = manifest
      .filter((m) => m.metadata.style === style && clusterOf.has(m.imageId))
      .sort((a, b) => (a.metadata.subject ?? '').localeCompare(b.metadata.subject ?? '') || a.imageId.localeCompare(b.imageId));
    const bySubject = new Map<string, ManifestEntry[]>();
    for (const m of clicks) bySubject.set(m.metadata.subject ?? '', [...(bySubject.get(m.metadata.subject ?? '') ?? []), m]);
    const roundRobin = interleave([...bySubject.values()]).slice(0, events);
    const curve: number[] = [];
    for (let n = 0; n <= events; n++) {
      if (n > 0) {
        const image = roundRobin[n - 1];
        if (image === undefined) break;
        await ranker.putEvents({
          userId,
          sessionId: userId,
          events: [{ eventType: 'view', itemId: clusterItemId(generation.clusterGeneration, clusterOf.get(image.imageId) as number), sentAt: new Date(Date.UTC(2026, 11, 1) + n * 1000) }],
        });
      }
      const preferences = ranker.hasHistory(userId) ? await rankClusters(ranker, userId, generation) : undefined;
      const perQuery = queries.map((query) => {
        const hits = hitsByQuery.get(query) as SearchHit[];
        const top = ids(rank(hits, preferences, 'weighted-mean', weight));
        if (n === 0 && top.join() !== ids(rank(hits, undefined, 'baseline', 0)).join()) coldStartMatchesBaseline = false;
        return precisionAtK(top, (id) => styleOf.get(id) === style, TOP);
      });
      curve.push(mean(perQuery));
    }
    byStyle[style] = curve;
  }
  const curve = (Object.values(byStyle)[0] ?? []).map((_, n) => mean(Object.values(byStyle).map((c) => c[n] as number)));
  const reached = curve.findIndex((v) => v >= 0.7);
  return { curve, byStyle, eventsToReach70: reached < 0 ? null : reached, coldStartMatchesBaseline };
}

function interleave<T>(lists: readonly T[][]): T[] {
  const out: T[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i] as T);
  return out;
}

async function styleSwitchFigures(
  ranker: LocalRanker,
  generation: SearchGeneration,
  users: readonly UserTaste[],
  heldOut: ReadonlyMap<string, { itemId: string; timestamp: number; eventType: 'view' | 'favorite' | 'download' }[]>,
  clusterOf: ReadonlyMap<string, number>,
  hitsByQuery: ReadonlyMap<string, SearchHit[]>,
  queries: readonly string[],
  byId: ReadonlyMap<string, ManifestEntry>,
  weight: number,
): Promise<EvaluationReport['styleSwitch']> {
  const user = users.find((u) => u.styleSwitch !== undefined);
  if (!user?.styleSwitch) return null;
  const { before, after } = user.styleSwitch;
  const shares = async () => {
    const preferences = await rankClusters(ranker, user.userId, generation);
    const styles = queries.flatMap((q) => rank(hitsByQuery.get(q) as SearchHit[], preferences, 'weighted-mean', weight).map((r) => byId.get(r.id)?.metadata.style));
    return { afterShare: styles.filter((s) => s === after).length / styles.length, beforeShare: styles.filter((s) => s === before).length / styles.length };
  };
  const trainedOnly = await shares();
  const latest = (heldOut.get(user.userId) ?? []).filter((e) => clusterOf.has(e.itemId));
  for (const e of latest) {
    await ranker.putEvents({
      userId: user.userId,
      sessionId: user.userId,
      events: [{ eventType: e.eventType, itemId: clusterItemId(generation.clusterGeneration, clusterOf.get(e.itemId) as number), sentAt: new Date(e.timestamp * 1000) }],
    });
  }
  return { userId: user.userId, before, after, trainedOnly, afterReplayingLatest: { ...(await shares()), events: latest.length } };
}

async function heldOutHits(
  ranker: LocalRanker,
  generation: SearchGeneration,
  heldOut: ReadonlyMap<string, { itemId: string }[]>,
  clusterOf: ReadonlyMap<string, number>,
): Promise<EvaluationReport['heldOutClusterHitAt5']> {
  const popularity = await rankClusters(ranker, 'eval-popularity-probe', generation);
  const top5 = (prefs: ReadonlyMap<number, number>) => new Set([...prefs].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([c]) => c));
  const popularTop = top5(popularity);
  let personalizedHits = 0;
  let popularityHits = 0;
  let total = 0;
  for (const [userId, events] of heldOut) {
    if (userId.startsWith('eval-') || !ranker.hasHistory(userId)) continue;
    const userTop = top5(await rankClusters(ranker, userId, generation));
    for (const e of events) {
      const cluster = clusterOf.get(e.itemId);
      if (cluster === undefined) continue;
      total++;
      if (userTop.has(cluster)) personalizedHits++;
      if (popularTop.has(cluster)) popularityHits++;
    }
  }
  return total === 0 ? { personalized: 0, popularity: 0 } : { personalized: personalizedHits / total, popularity: popularityHits / total };
}
