/**
 * `npm start`: the embedded default. Builds the sample library if it is missing, runs the retraining pipeline (the
 * synthesized state machine, locally) if no generation is served, then serves the API and the web page on PORT (default 3000).
 */
import { access } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { AppError } from '../core/errors';
import { LocalStateLayout, SERVING_ALIAS } from '../core/local/local-state';
import { LocalVectorIndex } from '../core/local/hnsw-vector-index';
import { readConfig } from '../core/config';
import { generateSampleLibrary } from '../sample/generate';
import { runLocalPipeline } from '../state-machines/local-runner';
import { createApiHandler } from './api-handler';
import { createLocalServer } from './local-server';
import { LocalSearchService } from './local-search-service';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 3000;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new AppError(`PORT must be a whole number from 0 to 65535, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const port = parsePort(process.env.PORT);
  const config = readConfig();
  const dataDir = resolve(config.local.dataDir);
  const stateDir = resolve(config.local.stateDir);
  const started = performance.now();

  if (!(await exists(join(dataDir, 'manifest.jsonl')))) {
    console.log(`Building the sample library in ${dataDir} …`);
    const result = await generateSampleLibrary({ outDir: dataDir });
    console.log(`  ${result.images} images, ${result.users} users in ${result.seconds.toFixed(1)} s`);
  }
  const layout = new LocalStateLayout(stateDir);
  if ((await new LocalVectorIndex({ root: layout.indexRoot }).resolveAlias(SERVING_ALIAS)) === undefined) {
    console.log(`No generation is served yet: running the retraining pipeline on ${dataDir} into ${stateDir} …`);
    const result = await runLocalPipeline({
      dataDir,
      stateDir,
      k: config.search.clusters,
      onProgress: (line) => console.log(`  ${line}`),
    });
    if (result.status !== 'SUCCEEDED') {
      throw new AppError(`the first pipeline run failed at "${result.failure?.state}": ${result.failure?.error}: ${result.failure?.cause}`);
    }
  }

  const service = new LocalSearchService({ stateDir, candidates: config.search.candidates });
  await service.generation();
  const server = createLocalServer({
    handle: createApiHandler(service, { defaultWeight: config.search.weight, logError: (error) => console.error(error) }),
    imageFile: (imageId) => service.imageFile(imageId),
  });
  server.listen(port, () => {
    const { port: bound } = server.address() as AddressInfo;
    console.log(`Ready in ${((performance.now() - started) / 1000).toFixed(1)} s: http://localhost:${bound}/`);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof AppError ? `error: ${error.message}` : error);
  process.exitCode = 1;
});
