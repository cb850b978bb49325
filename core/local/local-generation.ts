/**
 * Builds one local generation end to end: embedder, embeddings, clusters, cluster-level interactions, ranker, and a
 * new index generation, then points the serving alias at it. Everything a generation needs is written under its own
 * folder before the alias moves, so a failure at any step leaves the serving generation untouched.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic, writeLinesAtomic } from '../atomic-file';
import { ValidationError } from '../errors';
import { readManifest, type ManifestEntry } from '../image-manifest';
import { readInteractionRows, rewriteInteractions, type InteractionRow } from '../interactions';
import { checkPersonalizeMinimums } from '../personalize-minimums';
import type { ClusterModel } from '../ports/clusterer';
import type { ObjectStore } from '../ports/object-store';
import { parseClusterModel, serializeClusterModel } from './cluster-model-file';
import { FolderObjectStore } from './folder-object-store';
import { LocalVectorIndex } from './hnsw-vector-index';
import { KMeansClusterer } from './kmeans-clusterer';
import { trainLocalEmbedder, type LocalEmbedder } from './local-embedder';
import { LocalStateLayout, SERVING_ALIAS } from './local-state';
import { saveRankerModel } from './ranker-model-file';
import { trainLocalRanker } from './ranker-training';
import { readEventLog } from './ranker-event-log';

/** What serving loads to serve a generation as one unit. */
export interface GenerationInfo {
  readonly generation: string;
  /** The id space of the ranker's items (cluster item ids carry it). */
  readonly clusterGeneration: string;
  readonly clusterCount: number;
  readonly dimension: number;
  readonly images: number;
  readonly skippedImages: readonly { readonly id: string; readonly reason: string }[];
  /** Root of the image files (manifest keys are relative to it). */
  readonly dataDir: string;
  /** Epoch seconds of the newest interaction the ranker was trained on; later events are replayed at load. */
  readonly trainedThrough: number;
  readonly models: { readonly embedder: string; readonly ranker: string };
  readonly createdAt: string;
}

export interface BuildOptions {
  readonly dataDir: string;
  readonly stateDir: string;
  /** Cluster count (the seed article's k). @default 48 */
  readonly k?: number;
  readonly seed?: number;
  /** Embedder training epochs (fewer for fast tests). */
  readonly embedderEpochs?: number;
  /** Generation name. @default `gen-<UTC timestamp>` */
  readonly generation?: string;
  readonly onStep?: (step: string, detail: string) => void;
}

export function generationName(now: Date): string {
  return `gen-${now.toISOString().replace(/[-:T]/g, '').replace(/\..*$/, '').toLowerCase()}`;
}

export async function buildLocalGeneration(options: BuildOptions): Promise<GenerationInfo> {
  const layout = new LocalStateLayout(options.stateDir);
  const data = new FolderObjectStore({ root: options.dataDir });
  const index = new LocalVectorIndex({ root: layout.indexRoot });
  const generation = options.generation ?? generationName(new Date());
  const seed = options.seed ?? 42;
  const k = options.k ?? 48;
  const step = options.onStep ?? (() => undefined);

  const manifest = await readManifest(data.readLines('manifest.jsonl'));
  step('manifest', `${manifest.length} images`);
  const items = await Promise.all(
    manifest.map(async (entry) => ({ id: entry.imageId, caption: entry.caption, bytes: await data.getBytes(entry.key) })),
  );

  const embedder = await trainLocalEmbedder({ items, seed, ...(options.embedderEpochs !== undefined && { epochs: options.embedderEpochs }) });
  await embedder.save(layout.embedderModel(generation));
  step('train-embedder', `model ${embedder.modelVersion}`);

  const { embedded, skipped } = await embedder.embedImages(items);
  step('embed-images', `${embedded.length} embedded, ${skipped.length} skipped`);
  if (embedded.length < k) throw new ValidationError(`only ${embedded.length} images could be embedded, fewer than k = ${k}`, { field: 'k' });

  const previous = await previousClusterModel(index, layout);
  const clusterer = new KMeansClusterer();
  const fit = await clusterer.fit(
    embedded.map((e) => e.vector),
    { k, seed, ...(previous && previous.dimension === embedder.dimension && previous.k === k && { warmStart: previous }) },
  );
  await writeFileAtomic(layout.clusterModel(generation), serializeClusterModel(fit.model));
  const clusterOf = new Map(embedded.map((e, i) => [e.id, fit.labels[i] as number]));
  await writeLinesAtomic(layout.assignments(generation), embedded.map((e) => JSON.stringify({ imageId: e.id, cluster: clusterOf.get(e.id) })));
  step('cluster', `k = ${k}, inertia ${fit.inertia.toFixed(2)}`);

  const { rows, stats, trainedThrough } = await clusterInteractions(data, layout, clusterOf, generation);
  const ranker = trainLocalRanker(rows, { seed });
  await saveRankerModel(ranker, layout.rankerModel(generation));
  step('train-ranker', `${stats.rowsWritten} interactions (${stats.malformedRows} malformed, ${stats.unknownImageRows} unknown images left out)`);

  await index.createGeneration(generation, { dimension: embedder.dimension });
  const byId = new Map(manifest.map((m) => [m.imageId, m]));
  const upsert = await index.upsert(
    generation,
    embedded.map((e) => ({ id: e.id, vector: e.vector, cluster: clusterOf.get(e.id) as number, metadata: metadataOf(byId.get(e.id) as ManifestEntry) })),
  );
  if (upsert.failed.length > 0) throw new ValidationError(`${upsert.failed.length} images failed to index, first: ${upsert.failed[0]?.id}: ${upsert.failed[0]?.reason}`);
  const indexed = await index.finalize(generation);
  if (indexed.count !== embedded.length) throw new ValidationError(`the index holds ${indexed.count} images, expected ${embedded.length}`);
  step('index', `${indexed.count} images in ${generation}`);

  const info: GenerationInfo = {
    generation,
    clusterGeneration: generation,
    clusterCount: k,
    dimension: embedder.dimension,
    images: embedded.length,
    skippedImages: skipped,
    dataDir: resolve(options.dataDir),
    trainedThrough,
    models: { embedder: embedder.modelVersion, ranker: ranker.version },
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(layout.generationInfo(generation), `${JSON.stringify(info, null, 2)}\n`);
  const { previous: replaced } = await index.swapAlias(SERVING_ALIAS, generation);
  step('swap-alias', `${SERVING_ALIAS} -> ${generation}${replaced ? ` (was ${replaced})` : ''}`);
  return info;
}

function metadataOf(entry: ManifestEntry): Record<string, string> {
  return { ...entry.metadata, caption: entry.caption, key: entry.key };
}

async function previousClusterModel(index: LocalVectorIndex, layout: LocalStateLayout): Promise<ClusterModel | undefined> {
  const current = await index.resolveAlias(SERVING_ALIAS);
  if (current === undefined) return undefined;
  return parseClusterModel(await readFile(layout.clusterModel(current), 'utf8'));
}

/** The sample's interactions plus the events recorded since, rewritten to cluster items and checked against Personalize's minimums. */
async function clusterInteractions(data: ObjectStore, layout: LocalStateLayout, clusterOf: ReadonlyMap<string, number>, clusterGeneration: string) {
  // Serving logs image-level events (itemId = imageId) in the ranker's event-log format; they become training data.
  const { events: recorded } = await readEventLog(layout.eventLog);
  async function* imageLevel(): AsyncGenerator<string> {
    yield* data.readLines('interactions.csv');
    for (const e of recorded) yield `${e.userId},${e.itemId},${Math.floor(e.sentAt.getTime() / 1000)},${e.eventType}`;
  }
  const rewrite = rewriteInteractions(imageLevel(), { clusterOf: (id) => clusterOf.get(id), clusterGeneration });
  const rows: InteractionRow[] = [];
  let trainedThrough = 0;
  for await (const row of readInteractionRows(rewrite.lines)) {
    rows.push(row);
    if (row.timestamp > trainedThrough) trainedThrough = row.timestamp;
  }
  const stats = rewrite.stats();
  checkPersonalizeMinimums({ interactions: stats.rowsWritten, usersWithTwoInteractions: stats.usersWithTwoInteractions });
  return { rows, stats, trainedThrough };
}

export async function readGenerationInfo(layout: LocalStateLayout, generation: string): Promise<GenerationInfo> {
  return JSON.parse(await readFile(layout.generationInfo(generation), 'utf8')) as GenerationInfo;
}

export type { LocalEmbedder };
