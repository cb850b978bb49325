/**
 * Pipeline steps on the sample library: the whole local pipeline, then each step again on its own from the built
 * generation's artifacts, so a step's time is not blurred by the others.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readInteractionRows, rewriteInteractions, type InteractionRow } from '../core/interactions';
import { FolderObjectStore } from '../core/local/folder-object-store';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { WORKING_SIZE } from '../core/local/image-features';
import { KMeansClusterer } from '../core/local/kmeans-clusterer';
import { LocalEmbedder } from '../core/local/local-embedder';
import { LocalStateLayout } from '../core/local/local-state';
import { trainLocalRanker } from '../core/local/ranker-training';
import type { EmbeddedImage } from '../core/ports/embedder';
import type { BenchPlan } from './plan';
import { rateRow, timingRow, type ResultRow } from './report';
import { buildSampleGeneration, readSampleImages, type BuiltGeneration, type SampleImage } from './sample-generation';
import { summarize, timeRuns } from './stats';

export interface PipelineResult {
  readonly rows: ResultRow[];
  /** The first build, kept for the serving and memory sections; the caller cleans it up. */
  readonly generation: BuiltGeneration;
}

export async function benchPipeline(dataDir: string, plan: BenchPlan['pipeline'], log: (line: string) => void): Promise<PipelineResult> {
  const builds: BuiltGeneration[] = [];
  try {
    for (let b = 0; b < plan.builds; b++) {
      const built = await buildSampleGeneration(dataDir, { name: `bench-${b}`, ...(plan.embedderEpochs !== undefined && { embedderEpochs: plan.embedderEpochs }) });
      builds.push(built);
      log(`  build ${b + 1}/${plan.builds}: ${(built.totalMs / 1000).toFixed(1)} s (${Object.entries(built.stepMs).map(([s, ms]) => `${s} ${(ms / 1000).toFixed(1)}`).join(', ')})`);
      if (b > 0) await built.cleanup();
    }
  } catch (error) {
    await builds[0]?.cleanup();
    throw error;
  }
  const generation = builds[0] as BuiltGeneration;
  const epochs = plan.embedderEpochs === undefined ? 'default epochs' : `${plan.embedderEpochs} embedder epochs`;
  const rows: ResultRow[] = [
    timingRow('pipeline', 'whole local pipeline', builds.map((b) => b.totalMs), {
      note: `buildLocalGeneration on ${generation.info.images} images with ${epochs}; no warm-up run (each build is a cold start, as in npm start)`,
    }),
    timingRow('pipeline', 'embedder training (in pipeline)', builds.map((b) => b.stepMs['Train local embedder'] ?? Number.NaN)),
  ];
  try {
    rows.push(...(await benchSteps(dataDir, generation, plan)));
  } catch (error) {
    await generation.cleanup();
    throw error;
  }
  return { rows, generation };
}

async function benchSteps(dataDir: string, generation: BuiltGeneration, plan: BenchPlan['pipeline']): Promise<ResultRow[]> {
  const layout = new LocalStateLayout(generation.stateDir);
  const name = generation.info.generation;
  const images = await readSampleImages(dataDir);
  const embedder = await LocalEmbedder.load(layout.embedderModel(name));
  const repeat = { warmup: 1, runs: plan.stepRuns };

  let embedded: EmbeddedImage[] = [];
  const embedMs = await timeRuns(async () => {
    embedded = (await embedder.embedImages(images)).embedded;
  }, repeat);
  const floorMs = await timeRuns(() => decodeAndResizeAll(images), repeat);
  const embedRate = rateRow('pipeline', 'images embedded', 'images/s', images.length, embedMs);
  const floorRate = rateRow('pipeline', `decode + resize only (sharp, ${WORKING_SIZE}x${WORKING_SIZE})`, 'images/s', images.length, floorMs, {
    note: 'the floor: same images, same concurrency, no features or encoder',
  });
  const vectors = embedded.map((e) => e.vector);

  const clusterer = new KMeansClusterer();
  const kmeansMs = await timeRuns(() => clusterer.fit(vectors, { k: plan.k, seed: 42 }), { warmup: 0, runs: plan.stepRuns });

  const indexMs = await timeRuns(() => buildIndexOnce(embedded), repeat);

  const rankerRows = await clusterInteractionRows(dataDir, layout, name);
  const rankerMs = await timeRuns(() => trainLocalRanker(rankerRows, { seed: 42 }), repeat);

  const embedTimes = summarize(embedMs);
  const floorTimes = summarize(floorMs);
  return [
    embedRate,
    floorRate,
    {
      section: 'pipeline',
      name: 'embedding throughput / decode floor',
      unit: 'fraction',
      // Throughput ratio = inverse time ratio.
      median: floorTimes.median / embedTimes.median,
      p99: floorTimes.p99 / embedTimes.p99,
      mean: floorTimes.mean / embedTimes.mean,
      runs: embedTimes.count,
      target: { stat: 'median', op: '>=', threshold: 0.5 },
    },
    timingRow('pipeline', `k-means k = ${plan.k} (${vectors.length} x ${embedder.dimension}-d)`, kmeansMs, { note: 'KMeansClusterer.fit with its default 3 restarts, cold' }),
    timingRow('pipeline', `index build (${embedded.length} vectors)`, indexMs, { note: 'createGeneration + upsert + finalize, HNSW graph included' }),
    timingRow('pipeline', `ranker training (${rankerRows.length} interactions)`, rankerMs),
  ];
}

/** The floor for embedding: decoding and resizing to the embedder's working size, nothing else, as many at once as it runs. */
async function decodeAndResizeAll(images: readonly SampleImage[]): Promise<void> {
  const limit = Math.max(2, availableParallelism() * 2);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < images.length) {
      const image = images[next++] as SampleImage;
      await sharp(image.bytes).resize(WORKING_SIZE, WORKING_SIZE, { fit: 'fill' }).raw().toBuffer();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, images.length) }, worker));
}

async function buildIndexOnce(embedded: readonly EmbeddedImage[]): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-index-'));
  try {
    const index = new LocalVectorIndex({ root });
    const dimension = (embedded[0] as EmbeddedImage).vector.length;
    await index.createGeneration('bench', { dimension });
    await index.upsert('bench', embedded.map((e, i) => ({ id: e.id, vector: e.vector, cluster: i % 48, metadata: {} })));
    await index.finalize('bench');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** The cluster-level interactions the pipeline trained its ranker on, rebuilt from the generation's assignments. */
async function clusterInteractionRows(dataDir: string, layout: LocalStateLayout, generation: string): Promise<InteractionRow[]> {
  const clusterOf = new Map<string, number>();
  for (const line of (await readFile(layout.assignments(generation), 'utf8')).split('\n')) {
    if (line.trim() === '') continue;
    const { imageId, cluster } = JSON.parse(line) as { imageId: string; cluster: number };
    clusterOf.set(imageId, cluster);
  }
  const store = new FolderObjectStore({ root: dataDir });
  const rewrite = rewriteInteractions(store.readLines('interactions.csv'), { clusterOf: (id) => clusterOf.get(id), clusterGeneration: generation });
  const rows: InteractionRow[] = [];
  for await (const row of readInteractionRows(rewrite.lines)) rows.push(row);
  return rows;
}
