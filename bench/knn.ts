/**
 * k-NN through the real LocalVectorIndex: one generation on disk, searched by two adapter instances over the same
 * folder, one that always uses the HNSW graph (exactThreshold 0) and one that always scans (exactTopK), so both
 * paths pay the same per-query adapter cost and differ only in the search itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import type { IndexRecord } from '../core/ports/vector-index';
import { clusteredVectors } from '../test/fixtures/clustered-vectors';
import type { KnnCase } from './plan';
import { timingRow, type ResultRow } from './report';
import { summarize, timed } from './stats';

const K = 10;
const GENERATION = 'bench';
/** Points per planted cluster: clusters of a few hundred, like images of one style and subject in a real library. */
const POINTS_PER_CLUSTER = 200;
const UPSERT_BATCH = 1_000;

export interface KnnOptions {
  readonly queries: number;
  readonly warmupQueries: number;
  readonly seed?: number;
  readonly log?: (line: string) => void;
}

export interface KnnCaseResult {
  readonly rows: ResultRow[];
  readonly recall: number;
  readonly speedup: number;
}

export function caseLabel(c: KnnCase): string {
  return `${c.count.toLocaleString('en-US')} x ${c.dimension}-d`;
}

export async function benchKnnCase(c: KnnCase, options: KnnOptions): Promise<KnnCaseResult> {
  const log = options.log ?? (() => undefined);
  const label = caseLabel(c);
  const total = c.count + options.queries + options.warmupQueries;
  const { vectors } = clusteredVectors({
    count: total,
    dimension: c.dimension,
    clusters: Math.max(1, Math.round(c.count / POINTS_PER_CLUSTER)),
    seed: options.seed ?? 7,
  });
  // Point i belongs to cluster i % clusters, so the held-out tail is spread over all clusters.
  const stored = vectors.slice(0, c.count);
  const queries = vectors.slice(c.count);
  const root = await mkdtemp(join(tmpdir(), 'bench-knn-'));
  try {
    const hnsw = new LocalVectorIndex({ root, exactThreshold: 0 });
    const exact = new LocalVectorIndex({ root, exactThreshold: Number.MAX_SAFE_INTEGER });
    await hnsw.createGeneration(GENERATION, { dimension: c.dimension });
    const upsert = await timed(async () => {
      for (let start = 0; start < stored.length; start += UPSERT_BATCH) {
        const batch: IndexRecord[] = stored.slice(start, start + UPSERT_BATCH).map((vector, i) => ({
          id: `v${start + i}`,
          vector,
          cluster: 0,
          metadata: {},
        }));
        await hnsw.upsert(GENERATION, batch);
      }
    });
    const finalize = await timed(() => hnsw.finalize(GENERATION));
    log(`  ${label}: upsert ${(upsert.ms / 1000).toFixed(1)} s, finalize (graph build + write) ${(finalize.ms / 1000).toFixed(1)} s`);

    const target = { generation: GENERATION };
    const search = { k: K };
    for (const q of queries.slice(0, options.warmupQueries)) {
      await hnsw.search(target, q, search);
      await exact.search(target, q, search);
    }
    const hnswMs: number[] = [];
    const exactMs: number[] = [];
    const recalls: number[] = [];
    // Alternating the two paths query by query spreads any change in machine load over both equally.
    for (const q of queries.slice(options.warmupQueries)) {
      const approximate = await timed(() => hnsw.search(target, q, search));
      const truth = await timed(() => exact.search(target, q, search));
      hnswMs.push(approximate.ms);
      exactMs.push(truth.ms);
      const expected = new Set(truth.value.map((h) => h.id));
      recalls.push(approximate.value.filter((h) => expected.has(h.id)).length / expected.size);
    }
    const h = summarize(hnswMs);
    const e = summarize(exactMs);
    const r = summarize(recalls);
    const isHeadline = c.count === 50_000 && c.dimension === 256;
    const rows: ResultRow[] = [
      timingRow('knn', `HNSW search ${label}`, hnswMs),
      timingRow('knn', `exact scan ${label}`, exactMs),
      {
        section: 'knn',
        name: `HNSW speed-up ${label}`,
        unit: 'x',
        median: e.median / h.median,
        p99: e.p99 / h.p99,
        mean: e.mean / h.mean,
        runs: h.count,
        ...(isHeadline && { target: { stat: 'median', op: '>=', threshold: 10 } as const }),
      },
      {
        section: 'knn',
        name: `recall@${K} ${label}`,
        unit: 'fraction',
        median: r.median,
        mean: r.mean,
        runs: r.count,
        note: `worst query ${r.min.toFixed(2)}`,
        ...(isHeadline && { target: { stat: 'mean', op: '>=', threshold: 0.95 } as const }),
      },
      {
        section: 'knn',
        name: `index build ${label}`,
        unit: 'ms',
        median: finalize.ms,
        runs: 1,
        note: `finalize: HNSW graph (m 16, ef_construction 100) and files; the upsert log before it took ${Math.round(upsert.ms)} ms`,
      },
    ];
    return { rows, recall: r.mean, speedup: e.median / h.median };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function benchKnn(cases: readonly KnnCase[], options: KnnOptions): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const c of cases) rows.push(...(await benchKnnCase(c, options)).rows);
  return rows;
}
