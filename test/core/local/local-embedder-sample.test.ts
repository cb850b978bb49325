/**
 * The embedder's quality targets, on images it was not trained on: a 20-per-pair sample library, trained on the
 * first 15 variants of every style/subject pair and queried over the other 5.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalVectorIndex } from '../../../core/local/hnsw-vector-index';
import { KMeansClusterer } from '../../../core/local/kmeans-clusterer';
import { recallAtK } from '../../../core/metrics';
import { trainLocalEmbedder } from '../../../core/local/local-embedder';
import type { LocalEmbedder } from '../../../core/local/local-embedder';
import { dot } from '../../../core/vector-math';
import { STYLES, SUBJECTS } from '../../../sample/constants';
import { sampleLibrary } from '../../fixtures/sample-library';

interface Entry {
  readonly imageId: string;
  readonly key: string;
  readonly subject: string;
  readonly style: string;
  readonly caption: string;
}

const PER_PAIR = 20;
const TRAIN_VARIANTS = 15;

describe('LocalEmbedder on the sample library (held-out images)', () => {
  let embedder: LocalEmbedder;
  let heldOut: { entry: Entry; vector: Float32Array }[];
  let all: { entry: Entry; vector: Float32Array }[];

  beforeAll(async () => {
    const dir = await sampleLibrary({ perPair: PER_PAIR });
    const entries = (await readFile(join(dir, 'manifest.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Entry);
    const bytes = new Map(await Promise.all(entries.map(async (e) => [e.imageId, await readFile(join(dir, e.key))] as const)));
    const isTraining = (e: Entry) => Number(e.imageId.slice(-3)) < TRAIN_VARIANTS;
    embedder = await trainLocalEmbedder({
      items: entries.filter(isTraining).map((e) => ({ id: e.imageId, bytes: bytes.get(e.imageId)!, caption: e.caption })),
      seed: 42,
    });
    const byId = new Map(entries.map((e) => [e.imageId, e]));
    const { embedded, skipped } = await embedder.embedImages(entries.map((e) => ({ id: e.imageId, bytes: bytes.get(e.imageId)! })));
    expect(skipped).toEqual([]);
    all = embedded.map((e) => ({ entry: byId.get(e.id)!, vector: e.vector }));
    heldOut = all.filter((a) => !isTraining(a.entry));
    // Generating the library (first run only, then cached) and training take a minute or two on 2 busy cores.
  }, 300_000);

  /** Precision among the top min(10, relevant) held-out images: only 5 images per pair are held out. */
  async function precision(query: string, relevant: (e: Entry) => boolean): Promise<number> {
    const [q] = await embedder.embedText([query]);
    const k = Math.min(10, heldOut.filter((h) => relevant(h.entry)).length);
    const top = heldOut
      .map((h) => ({ entry: h.entry, score: dot(q!, h.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
    return top.filter((t) => relevant(t.entry)).length / k;
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const words = (style: string) => style.replace('-', ' ');

  it('finds each subject across styles: precision@10 >= 0.9 on average, >= 0.8 for every subject', async () => {
    const perSubject = await Promise.all(SUBJECTS.map((s) => precision(s, (e) => e.subject === s)));
    expect(Math.min(...perSubject)).toBeGreaterThanOrEqual(0.8);
    expect(mean(perSubject)).toBeGreaterThanOrEqual(0.9);
  });

  it('finds each style: precision@10 >= 0.9 on average', async () => {
    const perStyle = await Promise.all(STYLES.map((s) => precision(words(s), (e) => e.style === s)));
    expect(mean(perStyle)).toBeGreaterThanOrEqual(0.9);
  });

  it('finds "<style> <subject>" images: precision >= 0.7 on average over all 48 pairs', async () => {
    const perPair: number[] = [];
    for (const style of STYLES) {
      for (const subject of SUBJECTS) {
        perPair.push(await precision(`${words(style)} ${subject}`, (e) => e.style === style && e.subject === subject));
      }
    }
    expect(mean(perPair)).toBeGreaterThanOrEqual(0.7);
  });

  it('puts most images next to one of their own style, and k-means at k = 48 gives style-pure clusters', async () => {
    let sameStyle = 0;
    for (const a of heldOut) {
      let best = -Infinity;
      let nearest = a;
      for (const b of heldOut) {
        if (b === a) continue;
        const s = dot(a.vector, b.vector);
        if (s > best) [best, nearest] = [s, b];
      }
      if (nearest.entry.style === a.entry.style) sameStyle++;
    }
    expect(sameStyle / heldOut.length).toBeGreaterThanOrEqual(0.9);

    const clusterer = new KMeansClusterer();
    const vectors = all.map((a) => a.vector);
    const model = await clusterer.train(vectors, { k: 48, seed: 1, restarts: 2 });
    const labels = await clusterer.assign(model, vectors);
    const clusters = new Map<number, Map<string, number>>();
    labels.forEach((label, i) => {
      const counts = clusters.get(label) ?? new Map<string, number>();
      const style = all[i]!.entry.style;
      counts.set(style, (counts.get(style) ?? 0) + 1);
      clusters.set(label, counts);
    });
    const purities = [...clusters.values()].map((c) => Math.max(...c.values()) / [...c.values()].reduce((a, b) => a + b, 0));
    expect(mean(purities)).toBeGreaterThanOrEqual(0.8);
  });

  it('clusters the sample identically for the same seed, and a warm-started re-run keeps >= 90% of cluster ids', async () => {
    const clusterer = new KMeansClusterer();
    const vectors = all.map((a) => a.vector);
    const first = await clusterer.fit(vectors, { k: 48, seed: 7, restarts: 2 });
    const again = await clusterer.fit(vectors, { k: 48, seed: 7, restarts: 2 });
    expect(again.labels).toEqual(first.labels);

    // The next run: a different seed and 5% of the images gone, warm-started from the first model.
    const kept = all.map((_, i) => i).filter((i) => i % 20 !== 0);
    const rerun = await clusterer.fit(kept.map((i) => vectors[i]!), { k: 48, seed: 8, restarts: 2, warmStart: first.model });
    const same = kept.filter((i, j) => rerun.labels[j] === first.labels[i]).length;
    expect(same / kept.length).toBeGreaterThanOrEqual(0.9);
  });

  it('finds with HNSW what an exact scan finds on the sample: recall@10 >= 0.98', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sample-hnsw-'));
    try {
      // exactThreshold 0 forces the graph even at this size.
      const index = new LocalVectorIndex({ root, exactThreshold: 0 });
      await index.createGeneration('g1', { dimension: embedder.dimension });
      await index.upsert('g1', all.map((a) => ({ id: a.entry.imageId, vector: a.vector, cluster: 0, metadata: {} })));
      await index.finalize('g1');
      const queries = [...(await embedder.embedText([...SUBJECTS, ...STYLES.map(words)])), ...heldOut.filter((_, i) => i % 4 === 0).map((h) => h.vector)];
      const recalls: number[] = [];
      for (const q of queries) {
        const graph = (await index.search({ generation: 'g1' }, q, { k: 10 })).map((h) => h.id);
        const exact = all
          .map((a) => ({ id: a.entry.imageId, score: dot(q, a.vector) }))
          .sort((x, y) => y.score - x.score)
          .map((x) => x.id);
        recalls.push(recallAtK(graph, exact, 10));
      }
      expect(mean(recalls)).toBeGreaterThanOrEqual(0.98);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
