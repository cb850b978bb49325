/**
 * `npm run pipeline -- [--data DIR] [--state DIR]`: one retraining run on the local folders through the synthesized
 * state machine (default: the sample library, built on first use). PIPELINE_FAIL_AT="<state name>" makes that state
 * fail, to see the failure path; the previous generation keeps serving.
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readConfig } from '../core/config';
import { AppError } from '../core/errors';
import { generateSampleLibrary } from '../sample/generate';
import { runLocalPipeline } from './local-runner';

const USAGE = 'usage: npm run pipeline -- [--data DIR] [--state DIR]';

function parseCliArgs(argv: string[]): { data?: string; state?: string } {
  try {
    return parseArgs({ args: argv, options: { data: { type: 'string' }, state: { type: 'string' } }, allowPositionals: false }).values;
  } catch (cause) {
    throw new AppError(`${(cause as Error).message}\n${USAGE}`, { cause });
  }
}

async function main(): Promise<void> {
  const values = parseCliArgs(process.argv.slice(2));
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
