/**
 * `npm run pipeline -- [--data DIR] [--state DIR]`: one retraining run on the local folders through the synthesized
 * state machine (default: the sample library, built on first use). PIPELINE_FAIL_AT="<state name>" makes that state
 * fail, to see the failure path; the previous generation keeps serving.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseFlags } from '../core/cli-args';
import { readConfig } from '../core/config';
import { AppError } from '../core/errors';
import { generateSampleLibrary } from '../sample/generate';
import { runLocalPipeline } from './local-runner';

const USAGE = 'usage: npm run pipeline -- [--data DIR] [--state DIR]';

async function main(): Promise<void> {
  const values = parseFlags(process.argv.slice(2), { data: { type: 'string' }, state: { type: 'string' } }, USAGE);
  const config = readConfig();
  const dataDir = resolve(values.data ?? config.local.dataDir);
  const stateDir = resolve(values.state ?? config.local.stateDir);
  const exists = await access(join(dataDir, 'manifest.jsonl')).then(() => true, () => false);
  if (!exists) {
    if (values.data !== undefined) throw new AppError(`${dataDir} has no manifest.jsonl: pass a library folder, or omit --data to use the sample`);
    console.log(`Building the sample library in ${dataDir} …`);
    const result = await generateSampleLibrary({ outDir: dataDir });
    console.log(`  ${result.images} images, ${result.users} users in ${result.seconds.toFixed(1)} s`);
  }
  const failAt = process.env.PIPELINE_FAIL_AT;
  const result = await runLocalPipeline({
    dataDir,
    stateDir,
    k: config.search.clusters,
    ...(failAt && { failAt }),
    onProgress: (line) => console.log(line),
  });
  if (result.status !== 'SUCCEEDED') process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof AppError ? `error: ${error.message}` : error);
  process.exitCode = 1;
});
