/**
 * `npm run bench -- [--json FILE] [--quick] [--only SECTIONS] [--data DIR]`: measures k-NN, serving, the pipeline and
 * memory on this machine, prints a table that marks each of the targets met or missed, and writes the JSON.
 * `main(argv)` returns the exit code so tests can call it without spawning a process.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError } from '../core/errors';
import { DEFAULT_DATA_DIR, parseBenchArgs, USAGE, type BenchArgs } from './args';
import { benchKnn } from './knn';
import { benchMemory } from './memory';
import { benchPipeline } from './pipeline';
import { planFor } from './plan';
import { buildReport, formatTable, loadAverage, machineInfo, writeReport, type ResultRow } from './report';
import { buildSampleGeneration, ensureSampleLibrary, temporarySampleLibrary, type BuiltGeneration } from './sample-generation';
import { benchServing } from './serving';

export interface BenchIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

export async function main(argv: readonly string[], io: BenchIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    io.err.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  if (args.help) {
    io.out.write(`${USAGE}\n`);
    return 0;
  }
  try {
    await runBench(args, io);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      io.err.write(`bench: ${error.message}\n`);
      return 2;
    }
    io.err.write(`bench: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

async function runBench(args: BenchArgs, io: BenchIo): Promise<void> {
  const plan = planFor(args.quick);
  const log = (line: string): void => void io.err.write(`${line}\n`);
  const started = performance.now();
  const timestamp = new Date().toISOString();
  const startLoad = loadAverage();
  const runs = (section: BenchArgs['sections'][number]): boolean => args.sections.includes(section);
  log(`bench${args.quick ? ' --quick' : ''}: ${args.sections.join(', ')}; load average ${startLoad.join(' ')}`);

  const rows: ResultRow[] = [];
  let generation: BuiltGeneration | undefined;
  let temporaryLibrary: { readonly cleanup: () => Promise<void> } | undefined;
  try {
    if (runs('knn')) {
      log('k-NN: HNSW vs exact scan through LocalVectorIndex …');
      rows.push(...(await benchKnn(plan.knn.cases, { queries: plan.knn.queries, warmupQueries: plan.knn.warmupQueries, log })));
    }
    if (runs('pipeline') || runs('serving') || runs('memory')) {
      let dataDir: string;
      if (args.dataDir === undefined && plan.generatedSamplePerPair !== undefined) {
        const library = await temporarySampleLibrary(plan.generatedSamplePerPair, log);
        temporaryLibrary = library;
        dataDir = library.dir;
      } else {
        dataDir = await ensureSampleLibrary(args.dataDir ?? DEFAULT_DATA_DIR, log);
      }
      if (runs('pipeline')) {
        log('pipeline: whole local pipeline, then each step …');
        const result = await benchPipeline(dataDir, plan.pipeline, log);
        generation = result.generation;
        rows.push(...result.rows);
      } else {
        log('building a generation of the sample for serving …');
        const epochs = plan.pipeline.embedderEpochs;
        generation = await buildSampleGeneration(dataDir, { name: 'bench-0', ...(epochs !== undefined && { embedderEpochs: epochs }) });
      }
      if (runs('serving')) {
        log('serving: in process, over HTTP, parallel vs sequential preference lookup …');
        rows.push(...(await benchServing(dataDir, generation, plan.serving, log)));
      }
      if (runs('memory')) {
        log('memory: peak RSS of the server in a child process …');
        rows.push(...(await benchMemory(dataDir, generation, plan.memory, log)));
      }
    }
  } finally {
    await generation?.cleanup();
    await temporaryLibrary?.cleanup();
  }

  const report = buildReport(rows, {
    timestamp,
    quick: args.quick,
    machine: machineInfo(),
    loadAverage: { start: startLoad, end: loadAverage() },
    durationSeconds: (performance.now() - started) / 1000,
  });
  io.out.write(`${formatTable(report)}\n`);
  const jsonPath = resolve(args.json);
  await writeReport(jsonPath, report);
  log(`results written to ${jsonPath}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
