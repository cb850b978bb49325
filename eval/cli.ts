/**
 * `npm run eval -- [--json FILE] [--chart FILE] [--data DIR] [--k N] [--holdout N] [--seed N]`: the offline
 * evaluation of personalised search on the sample library (built first if it is missing).
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFlags, wholeNumberFlag } from '../core/cli-args';
import { AppError, ValidationError } from '../core/errors';
import { generateSampleLibrary } from '../sample/generate';
import { writeEvaluationChart } from './chart';
import { runEvaluation, type EvaluationReport } from './evaluation';

const USAGE = 'usage: npm run eval -- [--json FILE] [--chart FILE] [--data DIR] [--k N] [--holdout N] [--seed N]';
const DEFAULT_DATA = 'data/sample';

export function parseEvalArgs(argv: readonly string[]) {
  const values = parseFlags(
    argv,
    {
      json: { type: 'string' },
      chart: { type: 'string' },
      data: { type: 'string' },
      k: { type: 'string' },
      holdout: { type: 'string' },
      seed: { type: 'string' },
    },
    USAGE,
  );
  return {
    json: values.json,
    chart: values.chart ?? 'eval-output/eval-chart.png',
    data: values.data ?? DEFAULT_DATA,
    k: wholeNumberFlag('k', values.k, { fallback: 48, min: 2 }),
    holdOut: wholeNumberFlag('holdout', values.holdout, { fallback: 5, min: 0 }),
    seed: wholeNumberFlag('seed', values.seed, { fallback: 42, min: 0 }),
  };
}

const pct = (v: number) => v.toFixed(3);

export function formatReport(report: EvaluationReport): string {
  const lines: string[] = [];
  lines.push(`Library: ${report.library.images} images, ${report.library.users} users, ${report.library.trainRows} training interactions, ${report.library.heldOutRows} held out; k = ${report.k}`);
  lines.push('');
  lines.push('| strategy | subject P@10 | style P@10 | NDCG@10 | worst user subject P@10 |');
  lines.push('|---|---|---|---|---|');
  for (const s of report.strategies) {
    lines.push(`| ${s.name}${s.name === report.defaultStrategy ? ' (default)' : ''} | ${pct(s.subjectPrecision)} | ${pct(s.stylePrecision)} | ${pct(s.ndcg)} | ${pct(s.minUserSubjectPrecision)} |`);
  }
  const baseline = report.strategies.find((s) => s.strategy === 'baseline');
  const chosen = report.strategies.find((s) => s.name === report.defaultStrategy);
  if (baseline && chosen) lines.push(`\nNDCG@10 of the default over the baseline: ${((chosen.ndcg / baseline.ndcg - 1) * 100).toFixed(1)}% relative`);
  lines.push('\nNamed users, "cat", default strategy:');
  for (const [user, figures] of Object.entries(report.namedUsersCat)) {
    const styles = figures.top10.map((r) => r.style);
    lines.push(`  ${user.padEnd(18)} style P@10 ${pct(figures.stylePrecision)}, subject P@10 ${pct(figures.subjectPrecision)}: ${styles.join(', ')}`);
  }
  lines.push(`\nAdaptation (new user, n views of one style -> mean style P@10): ${report.adaptation.curve.map((v, n) => `${n}:${v.toFixed(2)}`).join(' ')}`);
  lines.push(`  reaches 0.7 after ${report.adaptation.eventsToReach70 ?? 'more than the recorded'} events; cold start equals the baseline: ${report.adaptation.coldStartMatchesBaseline}`);
  if (report.styleSwitch) {
    const s = report.styleSwitch;
    lines.push(`\n${s.userId} (${s.before} -> ${s.after}): share of ${s.after} in the top 10 ${pct(s.trainedOnly.afterShare)} trained only, ${pct(s.afterReplayingLatest.afterShare)} after replaying the ${s.afterReplayingLatest.events} held-out latest events (${s.before}: ${pct(s.trainedOnly.beforeShare)} -> ${pct(s.afterReplayingLatest.beforeShare)})`);
  }
  lines.push(`\nHeld-out events whose cluster is in the user's top 5: ranker ${pct(report.heldOutClusterHitAt5.personalized)}, popularity ${pct(report.heldOutClusterHitAt5.popularity)}`);
  lines.push(`\nTook ${report.seconds.toFixed(1)} s`);
  return lines.join('\n');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const args = parseEvalArgs(argv);
    const dataDir = resolve(args.data);
    if (!(await exists(join(dataDir, 'manifest.jsonl')))) {
      if (args.data !== DEFAULT_DATA) throw new ValidationError(`--data ${args.data} holds no manifest.jsonl`, { field: 'data' });
      console.error(`building the sample library in ${dataDir} …`);
      await generateSampleLibrary({ outDir: dataDir });
    }
    const report = await runEvaluation({
      dataDir,
      workDir: join(tmpdir(), `pis-eval-${process.pid}`),
      k: args.k,
      holdOut: args.holdOut,
      seed: args.seed,
      onStep: (step, detail) => console.error(`  ${step.padEnd(15)} ${detail}`),
    });
    console.log(formatReport(report));
    await writeEvaluationChart(report, resolve(args.chart));
    console.log(`chart: ${args.chart}`);
    if (args.json) {
      await mkdir(dirname(resolve(args.json)), { recursive: true });
      await writeFile(resolve(args.json), `${JSON.stringify(report, null, 2)}\n`);
      console.log(`json: ${args.json}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      console.error(`eval: ${error.message}`);
      return 2;
    }
    console.error(error);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
