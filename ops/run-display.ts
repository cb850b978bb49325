/**
 * What the operator CLI prints, as pure functions of the PipelineControl port's values, so `run --follow`, `status`
 * and `history` read the same whether the run is a Step Functions execution or a local one. State lines reuse the
 * local runner's progress format (state-machines/local-progress.ts) so `npm run pipeline` and the CLI look alike.
 */
import { MODEL_REJECTED_ERROR } from '../core/ports/pipeline-control';
import type { ExecutionSummary, RunEvent, TeardownItem, TeardownResult } from '../core/ports/pipeline-control';
import type { ModelQuality, QualityVerdict } from '../core/quality-gate';
import { caughtLine, enteredLine, leftLine } from '../state-machines/local-progress';

/** A cause on one line: AWS causes are often pretty-printed JSON or a stack. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** UTC, to the second: `2026-12-04 09:05:07`. */
export function formatTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** One line for every event but `finished`, which `outcomeLines` shows as a block. */
export function eventLine(event: Exclude<RunEvent, { kind: 'finished' }>): string {
  switch (event.kind) {
    case 'entered':
      return enteredLine(event.state);
    case 'exited':
      return leftLine(event.state, event.seconds);
    case 'failed':
      // The cause is the verdict as JSON; the outcome block shows its figures and reasons readably.
      if (event.error === MODEL_REJECTED_ERROR) return `✖ ${event.state}: the new model is worse than the serving one beyond the tolerance`;
      return event.seconds === undefined
        ? `✖ ${event.state} failed: ${event.error}: ${oneLine(event.cause)}`
        : leftLine(event.state, event.seconds, { error: event.error, cause: oneLine(event.cause) });
    case 'map-progress':
      return `    ${event.state}: ${event.succeeded}/${event.total} succeeded (failed ${event.failed})`;
  }
}

/**
 * What `run --follow` prints for one event, given the one before it: a state entered right after a failure means the
 * definition caught that failure and the run goes on, which the failure line alone would not say.
 */
export function followLines(event: RunEvent, previous?: RunEvent): string[] {
  if (event.kind === 'finished') return ['', ...outcomeLines(event.execution, event.at)];
  const caught = previous?.kind === 'failed' && event.kind === 'entered' ? [caughtLine(event.state)] : [];
  return [...caught, eventLine(event)];
}

export function isRejected(summary: ExecutionSummary): boolean {
  return summary.failure?.error === MODEL_REJECTED_ERROR || (summary.status === 'FAILED' && summary.quality?.passed === false);
}

/** succeeded / failed at <state> / rejected by quality gate / running / timed out / aborted. */
export function outcomeLabel(summary: ExecutionSummary): string {
  switch (summary.status) {
    case 'SUCCEEDED':
      return 'succeeded';
    case 'RUNNING':
      return 'running';
    case 'TIMED_OUT':
      return 'timed out';
    case 'ABORTED':
      return 'aborted';
    case 'PENDING_REDRIVE':
      return 'failed, pending redrive';
    case 'FAILED':
      if (isRejected(summary)) return 'rejected by quality gate';
      return summary.failure?.state ? `failed at ${summary.failure.state}` : 'failed';
  }
}

function elapsed(summary: ExecutionSummary, now: Date): number {
  return ((summary.stoppedAt ?? now).getTime() - summary.startedAt.getTime()) / 1000;
}

const figure = (value: number): string => value.toFixed(3);
const figures = (quality: ModelQuality): string => `ndcg@10 ${figure(quality.ndcgAt10)}  p@10 ${figure(quality.precisionAt10)}`;

function qualityLines(quality: QualityVerdict): string[] {
  const lines = [
    `  candidate   ${figures(quality.candidate)}`,
    quality.serving
      ? `  serving     ${figures(quality.serving)}  (tolerance ${figure(quality.tolerance)})`
      : '  serving     none: nothing served before this run',
  ];
  quality.reasons.forEach((reason, i) => lines.push(`  ${i === 0 ? 'reasons' : ''.padEnd(7)}     ${reason}`));
  return lines;
}

/** The outcome block at the end of `run` and the body of `status`: what happened, the figures, and what serves now. */
export function outcomeLines(summary: ExecutionSummary, now: Date): string[] {
  const took = formatDuration(elapsed(summary, now));
  const generation = summary.generation ?? '(not named yet)';
  let headline: string;
  if (summary.status === 'SUCCEEDED') headline = `Run succeeded in ${took}: generation ${generation} is live`;
  else if (summary.status === 'RUNNING') headline = `Run in progress for ${took}: building generation ${generation}`;
  else if (isRejected(summary)) {
    headline = `Run rejected by the quality gate after ${took}: generation ${generation} was not published; the previous generation keeps serving`;
  } else {
    const where = summary.failure?.state ? ` at "${summary.failure.state}"` : '';
    headline = `Run ${summary.status.replace('_', ' ')}${where} after ${took}: generation ${generation} was not published; the previous generation, if any, keeps serving`;
  }
  const lines = [headline, `  execution   ${summary.name}  (${summary.id})`, `  started     ${formatTime(summary.startedAt)} UTC`];
  if (summary.quality) lines.push(...qualityLines(summary.quality));
  if (summary.failure && !isRejected(summary)) lines.push(`  error       ${summary.failure.error}: ${oneLine(summary.failure.cause)}`);
  return lines;
}

/** `history`: one row per execution, newest first as given, columns padded to their widest cell. */
export function historyLines(summaries: readonly ExecutionSummary[], now: Date): string[] {
  if (summaries.length === 0) return ['No runs yet: start one with "npm run cli -- run".'];
  const header = ['name', 'outcome', 'started (UTC)', 'duration', 'generation', 'ndcg@10', 'p@10', 'serving ndcg@10', 'serving p@10'];
  const rows = summaries.map((s) => [
    s.name,
    outcomeLabel(s),
    formatTime(s.startedAt),
    formatDuration(elapsed(s, now)),
    s.generation ?? '-',
    s.quality ? figure(s.quality.candidate.ndcgAt10) : '-',
    s.quality ? figure(s.quality.candidate.precisionAt10) : '-',
    s.quality?.serving ? figure(s.quality.serving.ndcgAt10) : '-',
    s.quality?.serving ? figure(s.quality.serving.precisionAt10) : '-',
  ]);
  const widths = header.map((h, column) => Math.max(h.length, ...rows.map((row) => (row[column] as string).length)));
  const render = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ').trimEnd();
  return [render(header), ...rows.map(render)];
}

function itemLine(item: TeardownItem, kindWidth: number): string {
  return `  ${item.kind.padEnd(kindWidth)}  ${item.id}${item.note ? `  (${item.note})` : ''}`;
}

const items = (n: number): string => `${n} item${n === 1 ? '' : 's'}`;

/** What `teardown` is about to delete. */
export function teardownPlanLines(plan: readonly TeardownItem[]): string[] {
  if (plan.length === 0) return ['Nothing to delete: no resources left behind by runs.'];
  const kindWidth = Math.max(...plan.map((item) => item.kind.length));
  return [`Teardown will delete ${items(plan.length)}:`, ...plan.map((item) => itemLine(item, kindWidth))];
}

/** What `teardown` deleted and what it could not, each with the reason. */
export function teardownResultLines(result: TeardownResult): string[] {
  const lines = [`Deleted ${items(result.deleted.length)}.`];
  if (result.left.length > 0) {
    lines.push(`Could not delete ${items(result.left.length)}:`, ...result.left.map((item) => `  ${item.kind}  ${item.id}: ${item.reason}`));
  }
  return lines;
}
