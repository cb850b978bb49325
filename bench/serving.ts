/**
 * The serving path on the built sample generation: in process through LocalSearchService, over HTTP against the real
 * local server in a child process, and the preference lookup in parallel with the k-NN call versus after it.
 */
import { readManifest } from '../core/image-manifest';
import { FolderObjectStore } from '../core/local/folder-object-store';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { LocalEmbedder } from '../core/local/local-embedder';
import { LocalRanker } from '../core/local/local-ranker';
import { LocalStateLayout } from '../core/local/local-state';
import { loadRankerModel } from '../core/local/ranker-model-file';
import { personalizedSearch, rankClusters, type PersonalizedQuery, type SearchComponents, type SearchGeneration } from '../core/personalized-search';
import { createRandom } from '../core/random';
import type { VectorIndex } from '../core/ports/vector-index';
import type { SearchRequest } from '../serving/api-types';
import { LocalSearchService } from '../serving/local-search-service';
import { runLoad, startServerChild } from './http-load';
import { DelayedRanker, DelayedVectorIndex, sequentialPersonalizedSearch } from './sequential-search';
import type { BenchPlan } from './plan';
import { timingRow, type ResultRow } from './report';
import type { BuiltGeneration } from './sample-generation';
import { sampleUserIds } from './sample-generation';
import { summarize, timed, timeRuns } from './stats';

const K = 10;
const WEIGHT = 0.5;

/** A fixed, seeded mix: short "style subject" queries and whole captions; three in four from a known user. */
export async function sampleRequests(dataDir: string, count: number, seed = 11): Promise<SearchRequest[]> {
  const manifest = await readManifest(new FolderObjectStore({ root: dataDir }).readLines('manifest.jsonl'));
  const users = await sampleUserIds(dataDir);
  const random = createRandom(seed);
  const out: SearchRequest[] = [];
  for (let i = 0; i < count; i++) {
    const entry = random.pick(manifest);
    const q = i % 2 === 0 ? `${entry.metadata.style ?? ''} ${entry.metadata.subject ?? ''}`.replace(/-/g, ' ').trim() : entry.caption;
    const userId = i % 4 === 3 ? undefined : random.pick(users);
    out.push({ q, k: K, weight: WEIGHT, ...(userId !== undefined && { userId }) });
  }
  return out;
}

export function searchPath(request: SearchRequest): string {
  const params = new URLSearchParams({ q: request.q ?? '', k: String(request.k), weight: String(request.weight) });
  if (request.userId !== undefined) params.set('userId', request.userId);
  return `/search?${params.toString()}`;
}

export async function benchServing(dataDir: string, generation: BuiltGeneration, plan: BenchPlan['serving'], log: (line: string) => void): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const requests = await sampleRequests(dataDir, Math.max(plan.requests, plan.httpRequests) + plan.warmupRequests);

  const service = new LocalSearchService({ stateDir: generation.stateDir });
  await service.generation();
  const inProcess = await timeRuns((i) => service.search(requests[i % requests.length] as SearchRequest), { warmup: plan.warmupRequests, runs: plan.requests });
  rows.push(
    timingRow('serving', `in-process search (${generation.info.images} images)`, inProcess, {
      target: { stat: 'p99', op: '<=', threshold: 10 },
      note: 'LocalSearchService.search: embed text + k-NN (100 candidates) + preferences + fusion',
    }),
  );

  const server = await startServerChild(generation.stateDir);
  try {
    const paths = requests.map(searchPath);
    await runLoad(server.port, paths, plan.warmupRequests, 1);
    for (const clients of plan.concurrency) {
      const load = await runLoad(server.port, paths, plan.httpRequests, clients);
      log(`  HTTP ${clients} clients: ${load.requestsPerSecond.toFixed(0)} req/s`);
      rows.push(
        timingRow('serving', `HTTP search, ${clients} client${clients === 1 ? '' : 's'}`, load.latenciesMs, {
          ...(clients === 8 && { target: { stat: 'p99', op: '<=', threshold: 50 } as const }),
        }),
        {
          section: 'serving',
          name: `HTTP throughput, ${clients} client${clients === 1 ? '' : 's'}`,
          unit: 'req/s',
          median: load.requestsPerSecond,
          runs: load.latenciesMs.length,
          ...(clients === plan.concurrency[0] && { note: 'loopback, keep-alive; the load generator runs on the same cores as the server' }),
        },
      );
    }
  } finally {
    await server.stop();
  }

  rows.push(...(await benchPreferenceLookup(dataDir, generation, plan)));
  return rows;
}

/**
 * Parallel (the product's `personalizedSearch`) against sequential, with a ranker that waits `rankerDelayMs` before
 * answering. The two variants alternate request by request so load changes hit both alike.
 */
async function benchPreferenceLookup(dataDir: string, generation: BuiltGeneration, plan: BenchPlan['serving']): Promise<ResultRow[]> {
  const layout = new LocalStateLayout(generation.stateDir);
  const name = generation.info.generation;
  const embedder = await LocalEmbedder.load(layout.embedderModel(name));
  const ranker = new LocalRanker(await loadRankerModel(layout.rankerModel(name)));
  const delayed = new DelayedRanker(ranker, plan.rankerDelayMs);
  const index = new LocalVectorIndex({ root: layout.indexRoot });
  const target: SearchGeneration = { generation: name, clusterGeneration: generation.info.clusterGeneration, clusterCount: generation.info.clusterCount };
  const users = await sampleUserIds(dataDir);
  const queries: PersonalizedQuery[] = (await sampleRequests(dataDir, plan.preferenceRequests + 5, 23)).map((r, i) => ({
    text: r.q ?? 'cat',
    userId: users[i % users.length] as string,
    k: K,
    weight: WEIGHT,
  }));
  // No cache here: every search asks the (delayed) ranker, as a cache miss does in production.
  const components = (vectorIndex: VectorIndex): SearchComponents => ({
    embedder,
    index: vectorIndex,
    preferences: (userId, g) => rankClusters(delayed, userId, g),
  });

  const compare = async (vectorIndex: VectorIndex, label: string, targeted: boolean): Promise<ResultRow[]> => {
    const c = components(vectorIndex);
    for (const q of queries.slice(0, 5)) {
      await personalizedSearch(c, target, q);
      await sequentialPersonalizedSearch(c, target, q);
    }
    const parallelMs: number[] = [];
    const sequentialMs: number[] = [];
    for (const q of queries.slice(5)) {
      parallelMs.push((await timed(() => personalizedSearch(c, target, q))).ms);
      sequentialMs.push((await timed(() => sequentialPersonalizedSearch(c, target, q))).ms);
    }
    const p = summarize(parallelMs);
    const s = summarize(sequentialMs);
    return [
      timingRow('serving', `search, preferences after k-NN${label}`, sequentialMs),
      timingRow('serving', `search, preferences in parallel${label}`, parallelMs),
      {
        section: 'serving',
        name: `latency cut by parallel lookup${label}`,
        unit: '%',
        median: 100 * (1 - p.median / s.median),
        p99: 100 * (1 - p.p99 / s.p99),
        mean: 100 * (1 - p.mean / s.mean),
        runs: p.count,
        ...(targeted && { target: { stat: 'mean', op: '>=', threshold: 30 } as const }),
        note: targeted
          ? `ranker delayed ${plan.rankerDelayMs} ms; the cut can be at most the embed + k-NN time, which is what runs during the delay`
          : `ranker and k-NN each delayed ${plan.rankerDelayMs} ms, as when both are network calls (Personalize, OpenSearch)`,
      },
    ];
  };
  return [
    ...(await compare(index, ` (ranker +${plan.rankerDelayMs} ms)`, true)),
    ...(await compare(new DelayedVectorIndex(index, plan.rankerDelayMs), ` (ranker and k-NN +${plan.rankerDelayMs} ms)`, false)),
  ];
}
