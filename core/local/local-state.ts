/** Where local mode keeps its state: one folder per generation beside the vector index and the live event log. */
import { join, resolve } from 'node:path';

/** The alias serving reads through; the pipeline swaps it to each new generation. */
export const SERVING_ALIAS = 'images';

export class LocalStateLayout {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get indexRoot(): string {
    return join(this.root, 'index');
  }

  /** Image-level events recorded by serving (JSONL); the next pipeline run trains on them too. */
  get eventLog(): string {
    return join(this.root, 'events.jsonl');
  }

  generationDir(generation: string): string {
    return join(this.root, 'generations', generation);
  }

  /** What serving needs to load a generation as one unit (written last, atomically). */
  generationInfo(generation: string): string {
    return join(this.generationDir(generation), 'generation.json');
  }

  embedderModel(generation: string): string {
    return join(this.generationDir(generation), 'embedder.json');
  }

  clusterModel(generation: string): string {
    return join(this.generationDir(generation), 'clusters.json');
  }

  assignments(generation: string): string {
    return join(this.generationDir(generation), 'assignments.jsonl');
  }

  rankerModel(generation: string): string {
    return join(this.generationDir(generation), 'ranker.json');
  }
}
