/** The run's progress lines: one per state entered and left (with its duration), one per Map batch, and the summary. */
import type { BatchReport } from './local-map-step';

export interface StepTiming {
  readonly step: string;
  readonly seconds: number;
}

export interface RunSummary {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly generation: string | undefined;
  readonly imagesEmbedded: number;
  readonly imagesSkipped: number;
  readonly k: number;
  readonly interactionsImported: number;
  readonly interactionsRewritten: number;
  readonly timings: readonly StepTiming[];
  readonly totalSeconds: number;
  readonly failure?: { readonly state: string; readonly error: string; readonly cause: string };
}

const seconds = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;

export function enteredLine(state: string): string {
  return `▶ ${state}`;
}

export function leftLine(state: string, duration: number, failed?: { error: string; cause: string }): string {
  return failed ? `✖ ${state} failed after ${seconds(duration)}: ${failed.error}: ${failed.cause}` : `✔ ${state} (${seconds(duration)})`;
}

export function batchLine(report: BatchReport): string {
  const status = report.error ? `failed: ${report.error.Error}: ${report.error.Cause}` : describeOutput(report.output);
  return `    batch ${report.batch}/${report.batches} of "${report.map}": ${report.items} items, ${status} (${seconds(report.seconds)})`;
}

function describeOutput(output: unknown): string {
  const o = output as { embedded?: number; skipped?: unknown[] } | undefined;
  return typeof o?.embedded === 'number' ? `${o.embedded} embedded, ${o.skipped?.length ?? 0} skipped` : 'done';
}

export function summaryLines(summary: RunSummary): string[] {
  const lines = [
    summary.status === 'SUCCEEDED' ? `Run succeeded: generation ${summary.generation} is live` : `Run FAILED: generation ${summary.generation ?? '(none)'} was not published; the previous generation keeps serving`,
  ];
  if (summary.failure) lines.push(`  failing state: ${summary.failure.state}`, `  error: ${summary.failure.error}: ${summary.failure.cause}`);
  lines.push(
    `  images embedded ${summary.imagesEmbedded}, skipped ${summary.imagesSkipped}`,
    `  k = ${summary.k}`,
    `  interactions imported ${summary.interactionsImported} (cluster-level rows written ${summary.interactionsRewritten})`,
    '  timings:',
    ...summary.timings.map((t) => `    ${t.step.padEnd(34)} ${seconds(t.seconds)}`),
    `    ${'total'.padEnd(34)} ${seconds(summary.totalSeconds)}`,
  );
  return lines;
}
