/** Result rows, target checks, the printed table and the JSON file. */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { Section } from './args';
import { summarize } from './stats';

export type Stat = 'median' | 'p99' | 'mean';

/** A goal from the issue, checked against one statistic of one row. */
export interface Target {
  readonly stat: Stat;
  readonly op: '>=' | '<=';
  readonly threshold: number;
}

export interface ResultRow {
  readonly section: Section;
  readonly name: string;
  readonly unit: string;
  readonly median: number;
  /** Absent for a single run, where a tail means nothing. For rates it is the rate of the slow (p99-time) run. */
  readonly p99?: number;
  readonly mean?: number;
  readonly runs: number;
  readonly target?: Target;
  readonly note?: string;
}

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

export interface BenchReport {
  readonly timestamp: string;
  readonly quick: boolean;
  readonly machine: Machine;
  /** 1, 5 and 15 minute load averages when the run started and ended: other work on the box skews every number. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly durationSeconds: number;
  readonly rows: readonly ResultRow[];
  readonly targets: readonly { readonly name: string; readonly goal: string; readonly value: number; readonly met: boolean }[];
}

/** A latency row (ms) from per-run samples. */
export function timingRow(section: Section, name: string, samples: readonly number[], extra: Partial<ResultRow> = {}): ResultRow {
  const s = summarize(samples);
  return { section, name, unit: 'ms', median: s.median, mean: s.mean, ...(s.count > 1 && { p99: s.p99 }), runs: s.count, ...extra };
}

/** A throughput row from the time of each run doing `units` of work: median rate and the rate of the p99 run. */
export function rateRow(section: Section, name: string, unit: string, units: number, runMs: readonly number[], extra: Partial<ResultRow> = {}): ResultRow {
  const s = summarize(runMs);
  return {
    section,
    name,
    unit,
    median: (units * 1000) / s.median,
    mean: (units * 1000) / s.mean,
    ...(s.count > 1 && { p99: (units * 1000) / s.p99 }),
    runs: s.count,
    ...extra,
  };
}

export function statOf(row: ResultRow, stat: Stat): number | undefined {
  return row[stat];
}

export function targetMet(row: ResultRow): boolean | undefined {
  if (!row.target) return undefined;
  const value = statOf(row, row.target.stat);
  if (value === undefined || !Number.isFinite(value)) return false;
  return row.target.op === '>=' ? value >= row.target.threshold : value <= row.target.threshold;
}

export function describeTarget(target: Target, unit: string): string {
  return `${target.stat} ${target.op} ${formatNumber(target.threshold)}${unit === 'ms' ? ' ms' : unit === '%' ? '%' : ` ${unit}`}`;
}

export function machineInfo(): Machine {
  const cpu = cpus()[0];
  return {
    cpuModel: cpu?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function loadAverage(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

export function buildReport(rows: readonly ResultRow[], meta: Omit<BenchReport, 'rows' | 'targets'>): BenchReport {
  const targets = rows
    .filter((r) => r.target)
    .map((r) => {
      const target = r.target as Target;
      return { name: r.name, goal: describeTarget(target, r.unit), value: statOf(r, target.stat) ?? Number.NaN, met: targetMet(r) === true };
    });
  return { ...meta, rows, targets };
}

/** Three significant digits, without exponent notation, with thousands separators for large values. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return value.toPrecision(2);
}

export function formatTable(report: BenchReport): string {
  const header = ['section', 'measurement', 'median', 'p99', 'mean', 'unit', 'runs', 'target', 'status'];
  const lines = report.rows.map((r) => {
    const met = targetMet(r);
    return [
      r.section,
      r.name,
      formatNumber(r.median),
      formatNumber(r.p99),
      formatNumber(r.mean),
      r.unit,
      String(r.runs),
      r.target ? describeTarget(r.target, r.unit) : '',
      met === undefined ? '' : met ? 'met' : 'MISSED',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  const numeric = new Set([2, 3, 4, 6]);
  const render = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  const out = [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)];
  const notes = report.rows.filter((r) => r.note).map((r) => `  ${r.name}: ${r.note}`);
  const m = report.machine;
  out.push(
    '',
    `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, node ${m.node}; load average ${report.loadAverage.start.join(' ')} at start, ${report.loadAverage.end.join(' ')} at end; ${report.durationSeconds.toFixed(0)} s${report.quick ? ' (--quick: smoke sizes, not numbers to quote)' : ''}`,
  );
  const met = report.targets.filter((t) => t.met).length;
  out.push(`targets met: ${met} of ${report.targets.length}`);
  if (notes.length > 0) out.push('notes:', ...notes);
  return out.join('\n');
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
