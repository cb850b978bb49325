/**
 * The local runner's execution history: one JSON line per finished run in `<state>/runs.jsonl`, what ListExecutions
 * and DescribeExecution give on AWS. Appended once per run (the run holds the pipeline lock, so appends never
 * interleave). Reading never fails on a bad line: a history view must still show the good runs, so a malformed line
 * is skipped and counted instead.
 */
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXECUTION_STATUSES } from '../ports/pipeline-control';
import type { ExecutionStatus, ExecutionSummary, RunFailure } from '../ports/pipeline-control';
import { isQualityVerdict } from '../quality-gate';

export const RUN_LOG_FILE = 'runs.jsonl';

export function runLogPath(stateDir: string): string {
  return join(stateDir, RUN_LOG_FILE);
}

export interface RunLogContents {
  /** Oldest first, as appended. */
  readonly records: ExecutionSummary[];
  /** Lines that were not a valid record (e.g. torn by a crash mid-append, or edited by hand); skipped. */
  readonly malformedLines: number;
}

/** Appends one run as one line. A torn last line (no newline) is closed first so this record stays readable. */
export async function appendRunRecord(stateDir: string, summary: ExecutionSummary): Promise<void> {
  const path = runLogPath(stateDir);
  await mkdir(stateDir, { recursive: true });
  const line = JSON.stringify({
    id: summary.id,
    name: summary.name,
    status: summary.status,
    startedAt: summary.startedAt.toISOString(),
    ...(summary.stoppedAt && { stoppedAt: summary.stoppedAt.toISOString() }),
    ...(summary.generation !== undefined && { generation: summary.generation }),
    ...(summary.quality && { quality: summary.quality }),
    ...(summary.failure && { failure: summary.failure }),
  });
  await appendFile(path, `${(await endsInsideLine(path)) ? '\n' : ''}${line}\n`, 'utf8');
}

/** Every readable record, oldest first, with the count of lines skipped; a missing file is an empty history. */
export async function readRunLog(stateDir: string): Promise<RunLogContents> {
  let text: string;
  try {
    text = await readFile(runLogPath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], malformedLines: 0 };
    throw error;
  }
  const records: ExecutionSummary[] = [];
  let malformedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record) records.push(record);
    else malformedLines++;
  }
  return { records, malformedLines };
}

/** The readable records only, oldest first (see `readRunLog` for the count of skipped lines). */
export async function readRunRecords(stateDir: string): Promise<ExecutionSummary[]> {
  return (await readRunLog(stateDir)).records;
}

async function endsInsideLine(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

function parseRecord(line: string): ExecutionSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  if (typeof r.id !== 'string' || typeof r.name !== 'string' || !(EXECUTION_STATUSES as readonly unknown[]).includes(r.status)) return undefined;
  const startedAt = parseDate(r.startedAt);
  if (!startedAt) return undefined;
  const stoppedAt = r.stoppedAt === undefined ? undefined : parseDate(r.stoppedAt);
  if (r.stoppedAt !== undefined && !stoppedAt) return undefined;
  if (r.generation !== undefined && typeof r.generation !== 'string') return undefined;
  if (r.quality !== undefined && !isQualityVerdict(r.quality)) return undefined;
  if (r.failure !== undefined && !isFailure(r.failure)) return undefined;
  return {
    id: r.id,
    name: r.name,
    status: r.status as ExecutionStatus,
    startedAt,
    ...(stoppedAt && { stoppedAt }),
    ...(typeof r.generation === 'string' && { generation: r.generation }),
    ...(isQualityVerdict(r.quality) && { quality: r.quality }),
    ...(r.failure !== undefined && { failure: r.failure as RunFailure }),
  };
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}


function isFailure(value: unknown): boolean {
  const f = value as Partial<Record<keyof RunFailure, unknown>> | null;
  return typeof f === 'object' && f !== null && typeof f.error === 'string' && typeof f.cause === 'string' && (f.state === undefined || typeof f.state === 'string');
}
