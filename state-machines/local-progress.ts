/** The run's progress lines: one per state entered and left (with its duration), one per Map batch, and the summary. */
import { MODEL_REJECTED_ERROR } from '../core/ports/pipeline-control';
import type { ModelQuality, QualityVerdict } from '../core/quality-gate';
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
  /** The quality gate's verdict, when the run got that far. */
  readonly quality?: QualityVerdict;
}

const seconds = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;

export function enteredLine(state: string): string {
  return `▶ ${state}`;
}

export function leftLine(state: string, duration: number, failed?: { error: string; cause: string }): string {
  return failed ? `✖ ${state} failed after ${seconds(duration)}: ${failed.error}: ${failed.cause}` : `✔ ${state} (${seconds(duration)})`;
}

/** A failure that the definition catches and goes on from (e.g. no campaign yet on the first run). */
export function caughtLine(next: string): string {
  return `    ↳ caught: the run goes on at "${next}"`;
}

export function batchLine(report: BatchReport): string {
  const status = report.error ? `failed: ${report.error.Error}: ${report.error.Cause}` : describeOutput(report.output);
  return `    batch ${report.batch}/${report.batches} of "${report.map}": ${report.items} items, ${status} (${seconds(report.seconds)})`;
}

function describeOutput(output: unknown): string {
  const o = output as { embedded?: number; skipped?: unknown[] } | undefined;
  return typeof o?.embedded === 'number' ? `${o.embedded} embedded, ${o.skipped?.length ?? 0} skipped` : 'done';
}

const figures = (q: ModelQuality): string => `ndcg@10 ${q.ndcgAt10.toFixed(3)}, precision@10 ${q.precisionAt10.toFixed(3)}`;

function qualityLines(summary: RunSummary): string[] {
  const verdict = summary.quality;
  if (!verdict) return [];
  if (summary.failure?.error === MODEL_REJECTED_ERROR) {
    return [
      `  candidate model: ${figures(verdict.candidate)}`,
      `  serving model:   ${verdict.serving ? figures(verdict.serving) : 'none'}`,
      `  tolerance ${verdict.tolerance}; rejected because:`,
      ...verdict.reasons.map((reason) => `    - ${reason}`),
    ];
  }
  const against = verdict.serving ? `serving model ${figures(verdict.serving)}` : 'nothing served yet: first model';
  return [`  quality gate: ${verdict.passed ? 'passed' : 'REJECTED'} (candidate ${figures(verdict.candidate)}; ${against}; tolerance ${verdict.tolerance})`];
}

function headline(summary: RunSummary): string {
  if (summary.status === 'SUCCEEDED') return `Run succeeded: generation ${summary.generation} is live`;
  if (summary.failure?.error === MODEL_REJECTED_ERROR) {
    return `Run REJECTED by the quality gate: the model trained for generation ${summary.generation ?? '(none)'} is worse than the serving one; nothing was published and the previous generation keeps serving`;
  }
  return `Run FAILED: generation ${summary.generation ?? '(none)'} was not published; the previous generation keeps serving`;
}

export function summaryLines(summary: RunSummary): string[] {
  const lines = [headline(summary)];
  if (summary.failure && summary.failure.error !== MODEL_REJECTED_ERROR) {
    lines.push(`  failing state: ${summary.failure.state}`, `  error: ${summary.failure.error}: ${summary.failure.cause}`);
  }
  lines.push(...qualityLines(summary));
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
