/** The sample library and a generation built from it into a temporary state folder, shared by the sections. */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readManifest, type ManifestEntry } from '../core/image-manifest';
import { FolderObjectStore } from '../core/local/folder-object-store';
import type { GenerationInfo } from '../core/local/local-generation';
import { buildLocalGeneration } from '../state-machines/local-build';
import { generateSampleLibrary } from '../sample/generate';

export interface SampleImage {
  readonly id: string;
  readonly caption: string;
  readonly bytes: Uint8Array;
  readonly metadata: Readonly<Record<string, string>>;
}

export interface BuiltGeneration {
  readonly stateDir: string;
  readonly info: GenerationInfo;
  /** Wall time of each step, from the pipeline's own step callbacks. */
  readonly stepMs: Readonly<Record<string, number>>;
  readonly totalMs: number;
  readonly cleanup: () => Promise<void>;
}

/** Builds the sample library in `dataDir` unless it is already there. */
export async function ensureSampleLibrary(dataDir: string, log: (line: string) => void): Promise<string> {
  const dir = resolve(dataDir);
  const present = await access(join(dir, 'manifest.jsonl')).then(
    () => true,
    () => false,
  );
  if (!present) {
    log(`building the sample library in ${dir} (npm run dataset) …`);
    const result = await generateSampleLibrary({ outDir: dir });
    log(`  ${result.images} images in ${result.seconds.toFixed(1)} s`);
  }
  return dir;
}

export async function readSampleImages(dataDir: string): Promise<SampleImage[]> {
  const store = new FolderObjectStore({ root: dataDir });
  const manifest: ManifestEntry[] = await readManifest(store.readLines('manifest.jsonl'));
  return Promise.all(
    manifest.map(async (m) => ({ id: m.imageId, caption: m.caption, bytes: await store.getBytes(m.key), metadata: m.metadata })),
  );
}

/** Users of the sample (named ones first), for requests that personalise. */
export async function sampleUserIds(dataDir: string): Promise<string[]> {
  const users = JSON.parse(await readFile(join(dataDir, 'users.json'), 'utf8')) as { users: { userId: string }[] };
  return users.users.map((u) => u.userId);
}

/** A small library generated into a temporary folder, for smoke runs; `cleanup` removes it. */
export async function temporarySampleLibrary(perPair: number, log: (line: string) => void): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'bench-sample-'));
  const dir = join(root, 'sample');
  try {
    const result = await generateSampleLibrary({ outDir: dir, perPair });
    log(`  generated a ${result.images}-image sample library in ${result.seconds.toFixed(1)} s`);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** Runs the whole local pipeline (what `npm start` runs on first start) into a fresh temporary state folder. */
export async function buildSampleGeneration(dataDir: string, options: { readonly embedderEpochs?: number; readonly name: string }): Promise<BuiltGeneration> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-state-'));
  const stepMs: Record<string, number> = {};
  let last = performance.now();
  const started = last;
  try {
    const info = await buildLocalGeneration({
      dataDir,
      stateDir,
      generation: options.name,
      ...(options.embedderEpochs !== undefined && { embedderEpochs: options.embedderEpochs }),
      onStep: (step) => {
        const now = performance.now();
        stepMs[step] = now - last;
        last = now;
      },
    });
    return { stateDir, info, stepMs, totalMs: performance.now() - started, cleanup: () => rm(stateDir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(stateDir, { recursive: true, force: true });
    throw error;
  }
}
