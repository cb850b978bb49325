/**
 * The GenerationPublisher port locally: what SSM parameters hold on AWS goes to `<state>/published.json`, written
 * atomically (the `generation` field is in the same write as the rest, so a reader never sees a mix of two runs).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import type { GenerationPublisher, PublishedGeneration } from '../ports/generation-publisher';

export const PUBLISHED_FILE = 'published.json';

export class LocalGenerationPublisher implements GenerationPublisher {
  private readonly path: string;

  constructor(props: { readonly stateDir: string }) {
    this.path = join(props.stateDir, PUBLISHED_FILE);
  }

  async publish(generation: PublishedGeneration): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify({ ...generation, publishedAt: new Date().toISOString() }, null, 2)}\n`);
  }

  /** The last published generation, or undefined before the first run. */
  async read(): Promise<(PublishedGeneration & { readonly publishedAt: string }) | undefined> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as PublishedGeneration & { readonly publishedAt: string };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
