/**
 * What serving loads to serve a generation as one unit. The pipeline that builds one is the retraining state machine,
 * run locally by `state-machines/local-runner.ts` (`buildLocalGeneration` in `state-machines/local-build.ts`).
 */
import { readFile } from 'node:fs/promises';
import type { ModelQuality } from '../quality-gate';
import type { LocalStateLayout } from './local-state';

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
  /** The ranker's offline figures, as the quality gate measured them before the generation was published. @default absent in generations built before the gate */
  readonly quality?: ModelQuality;
  readonly createdAt: string;
}

export async function readGenerationInfo(layout: LocalStateLayout, generation: string): Promise<GenerationInfo> {
  return JSON.parse(await readFile(layout.generationInfo(generation), 'utf8')) as GenerationInfo;
}
