/**
 * Peak RSS of the real local server, each in a fresh child process (a process's peak never goes down, so nothing
 * measured before may share it): once serving the sample generation, once serving the same models over an index
 * padded to many more vectors.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifest } from '../core/image-manifest';
import { FolderObjectStore } from '../core/local/folder-object-store';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { LocalStateLayout, SERVING_ALIAS } from '../core/local/local-state';
import type { IndexRecord } from '../core/ports/vector-index';
import { clusteredVectors } from '../test/fixtures/clustered-vectors';
import { runLoad, startServerChild } from './http-load';
import type { BenchPlan } from './plan';
import type { ResultRow } from './report';
import type { BuiltGeneration } from './sample-generation';
import { sampleRequests, searchPath } from './serving';

const MIB = 1024 * 1024;
const CLIENTS = 8;

export async function benchMemory(dataDir: string, generation: BuiltGeneration, plan: BenchPlan['memory'], log: (line: string) => void): Promise<ResultRow[]> {
  const paths = (await sampleRequests(dataDir, plan.requests, 31)).map(searchPath);
  const rows: ResultRow[] = [await serverPeak(generation.stateDir, paths, `server peak RSS, sample (${generation.info.images} vectors)`)];
  const padded = await paddedState(dataDir, generation, plan.largeIndexVectors, log);
  try {
    rows.push(await serverPeak(padded, paths, `server peak RSS, ${plan.largeIndexVectors.toLocaleString('en-US')} vectors`));
  } finally {
    await rm(padded, { recursive: true, force: true });
  }
  return rows;
}

async function serverPeak(stateDir: string, paths: readonly string[], name: string): Promise<ResultRow> {
  const server = await startServerChild(stateDir);
  try {
    const loaded = await server.usage();
    await runLoad(server.port, paths, paths.length, CLIENTS);
    const after = await server.usage();
    return {
      section: 'memory',
      name,
      unit: 'MiB',
      median: after.maxRssKiB / 1024,
      runs: 1,
      note:
        `after ${paths.length} searches from ${CLIENTS} clients; when loaded: peak ${(loaded.maxRssKiB / 1024).toFixed(0)} MiB, ` +
        `current ${(loaded.rssBytes / MIB).toFixed(0)} MiB; heap after the searches ${(after.heapUsedBytes / MIB).toFixed(0)} MiB; ` +
        'includes the tsx loader, as npm start does',
    };
  } finally {
    await server.stop();
  }
}

/**
 * A copy of the generation's state whose index holds `count` vectors: the same embedder, clusters and ranker, and
 * synthetic vectors of the embedder's dimension around one centre per cluster, carrying real manifest metadata so
 * responses are as large as real ones.
 */
async function paddedState(dataDir: string, generation: BuiltGeneration, count: number, log: (line: string) => void): Promise<string> {
  const { info } = generation;
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-padded-'));
  try {
    const from = new LocalStateLayout(generation.stateDir);
    const to = new LocalStateLayout(stateDir);
    await cp(from.generationDir(info.generation), to.generationDir(info.generation), { recursive: true });
    await writeFile(to.generationInfo(info.generation), `${JSON.stringify({ ...info, images: count }, null, 2)}\n`);
    const manifest = await readManifest(new FolderObjectStore({ root: dataDir }).readLines('manifest.jsonl'));
    const { vectors, labels } = clusteredVectors({ count, dimension: info.dimension, clusters: info.clusterCount, seed: 5 });
    const index = new LocalVectorIndex({ root: to.indexRoot });
    const started = performance.now();
    await index.createGeneration(info.generation, { dimension: info.dimension });
    for (let start = 0; start < count; start += 5_000) {
      const batch: IndexRecord[] = vectors.slice(start, start + 5_000).map((vector, i) => {
        const entry = manifest[(start + i) % manifest.length];
        return {
          id: `padded-${start + i}`,
          vector,
          cluster: labels[start + i] as number,
          metadata: { ...entry?.metadata, caption: entry?.caption ?? '', key: entry?.key ?? '' },
        };
      });
      await index.upsert(info.generation, batch);
    }
    await index.finalize(info.generation);
    await index.swapAlias(SERVING_ALIAS, info.generation);
    log(`  padded index: ${count} x ${info.dimension}-d built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return stateDir;
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
