/**
 * The interactions CSV (Amazon Personalize's shape: USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE) read as a stream, and its
 * rewrite from image ids to cluster item ids. Bad rows are counted and sampled rather than fatal: one corrupt line in
 * 20,000 should not stop a pipeline run, but the run's output must say how many were dropped and why.
 */
import { clusterItemId, assertClusterGeneration } from './cluster-items';
import { ValidationError } from './errors';
import { EVENT_TYPES } from './ports/ranker';
import type { EventType } from './ports/ranker';

export const INTERACTIONS_COLUMNS = ['USER_ID', 'ITEM_ID', 'TIMESTAMP', 'EVENT_TYPE'] as const;
type Column = (typeof INTERACTIONS_COLUMNS)[number];

/** How many malformed and unknown-image rows are kept, with their line numbers, for the run's report. */
export const SAMPLE_LIMIT = 5;
// Epoch seconds past this (year 5138) are almost surely milliseconds, which Personalize would read as far future.
const MAX_EPOCH_SECONDS = 100_000_000_000;

export interface InteractionRow {
  readonly userId: string;
  readonly itemId: string;
  /** Epoch seconds. */
  readonly timestamp: number;
  readonly eventType: EventType;
}

export interface RowProblem {
  /** 1-based line number in the input; the header is line 1. */
  readonly line: number;
  readonly reason: string;
}

export interface UnknownImageRow {
  readonly line: number;
  readonly imageId: string;
}

export interface RewriteStats {
  /** Data rows read (blank lines and the header excluded). */
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly malformedRows: number;
  /** Well-formed rows whose image has no cluster assignment (deleted or never indexed). */
  readonly unknownImageRows: number;
  readonly malformedSamples: readonly RowProblem[];
  readonly unknownImageSamples: readonly UnknownImageRow[];
  /** Distinct users among the rows written. */
  readonly users: number;
  readonly usersWithTwoInteractions: number;
}

export interface RewriteOptions {
  /** The cluster of an image, or undefined when the image is not in the current clustering. */
  readonly clusterOf: (imageId: string) => number | undefined;
  readonly clusterGeneration: string;
}

export interface InteractionsRewrite {
  /** The cluster-level CSV: the input's header, then one line per row whose image has a cluster. */
  readonly lines: AsyncIterable<string>;
  /** Counts so far; final once `lines` has been consumed to the end. */
  stats(): RewriteStats;
}

/** Rewrites ITEM_ID from image id to cluster item id, keeping the other columns; consume `lines` once. */
export function rewriteInteractions(input: AsyncIterable<string> | Iterable<string>, options: RewriteOptions): InteractionsRewrite {
  assertClusterGeneration(options.clusterGeneration);
  const counts = { rowsRead: 0, rowsWritten: 0, malformedRows: 0, unknownImageRows: 0 };
  const malformedSamples: RowProblem[] = [];
  const unknownImageSamples: UnknownImageRow[] = [];
  const seenOnce = new Set<string>();
  const seenTwice = new Set<string>();

  async function* lines(): AsyncGenerator<string> {
    for await (const record of scanInteractions(input)) {
      if (record.kind === 'header') {
        yield formatCsvLine(record.header);
        continue;
      }
      counts.rowsRead++;
      if (record.kind === 'malformed') {
        counts.malformedRows++;
        if (malformedSamples.length < SAMPLE_LIMIT) malformedSamples.push({ line: record.line, reason: record.reason });
        continue;
      }
      const cluster = options.clusterOf(record.row.itemId);
      if (cluster === undefined) {
        counts.unknownImageRows++;
        if (unknownImageSamples.length < SAMPLE_LIMIT) unknownImageSamples.push({ line: record.line, imageId: record.row.itemId });
        continue;
      }
      const fields = record.fields.slice();
      fields[record.itemColumn] = clusterItemId(options.clusterGeneration, cluster);
      counts.rowsWritten++;
      const user = record.row.userId;
      if (seenOnce.has(user)) seenTwice.add(user);
      else seenOnce.add(user);
      yield formatCsvLine(fields);
    }
  }

  return {
    lines: lines(),
    stats: () => ({
      ...counts,
      malformedSamples: malformedSamples.slice(),
      unknownImageSamples: unknownImageSamples.slice(),
      users: seenOnce.size,
      usersWithTwoInteractions: seenTwice.size,
    }),
  };
}

/** The valid rows of an interactions CSV; malformed rows are skipped and reported to `onMalformed` if given. */
export async function* readInteractionRows(
  input: AsyncIterable<string> | Iterable<string>,
  onMalformed?: (problem: RowProblem) => void,
): AsyncGenerator<InteractionRow> {
  for await (const record of scanInteractions(input)) {
    if (record.kind === 'row') yield record.row;
    else if (record.kind === 'malformed') onMalformed?.({ line: record.line, reason: record.reason });
  }
}

type ScanRecord =
  | { kind: 'header'; header: string[] }
  | { kind: 'malformed'; line: number; reason: string }
  | { kind: 'row'; line: number; row: InteractionRow; fields: string[]; itemColumn: number };

async function* scanInteractions(input: AsyncIterable<string> | Iterable<string>): AsyncGenerator<ScanRecord> {
  let lineNumber = 0;
  let columns: Record<Column, number> | undefined;
  for await (const raw of input) {
    lineNumber++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineNumber === 1) line = line.replace(/^\uFEFF/, '');
    if (line.trim() === '') continue;
    if (columns === undefined) {
      const header = parseCsvLine(line) ?? [line];
      columns = parseHeader(header);
      yield { kind: 'header', header };
      continue;
    }
    const fields = parseCsvLine(line);
    const parsed = fields === undefined ? 'unbalanced quotes' : parseRow(fields, columns);
    if (typeof parsed === 'string') yield { kind: 'malformed', line: lineNumber, reason: parsed };
    else yield { kind: 'row', line: lineNumber, row: parsed, fields: fields as string[], itemColumn: columns.ITEM_ID };
  }
  if (columns === undefined) {
    throw new ValidationError(`interactions CSV is empty: expected the header ${INTERACTIONS_COLUMNS.join(',')}`, {
      field: 'interactions',
    });
  }
}

/** Column positions by name. The four Personalize columns in any order, nothing else. */
function parseHeader(header: readonly string[]): Record<Column, number> {
  const names = header.map((name) => name.trim());
  const missing = INTERACTIONS_COLUMNS.filter((column) => !names.includes(column));
  const extra = names.filter((name) => !(INTERACTIONS_COLUMNS as readonly string[]).includes(name));
  if (missing.length > 0 || extra.length > 0 || names.length !== INTERACTIONS_COLUMNS.length) {
    throw new ValidationError(
      `interactions CSV header is "${header.join(',')}": expected the columns ${INTERACTIONS_COLUMNS.join(',')}` +
        (missing.length > 0 ? `; missing ${missing.join(', ')}` : '') +
        (extra.length > 0 ? `; unexpected ${extra.join(', ')}` : ''),
      { field: 'header' },
    );
  }
  return Object.fromEntries(INTERACTIONS_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<Column, number>;
}

function parseRow(fields: readonly string[], columns: Record<Column, number>): InteractionRow | string {
  if (fields.length !== INTERACTIONS_COLUMNS.length) return `expected ${INTERACTIONS_COLUMNS.length} fields, found ${fields.length}`;
  const userId = fields[columns.USER_ID] as string;
  const itemId = fields[columns.ITEM_ID] as string;
  const timestampText = fields[columns.TIMESTAMP] as string;
  const eventType = fields[columns.EVENT_TYPE] as string;
  if (userId.trim() === '') return 'empty USER_ID';
  if (itemId.trim() === '') return 'empty ITEM_ID';
  if (!/^[0-9]+$/.test(timestampText)) return `TIMESTAMP "${timestampText}" is not a non-negative integer (epoch seconds)`;
  const timestamp = Number(timestampText);
  if (timestamp >= MAX_EPOCH_SECONDS) return `TIMESTAMP ${timestampText} is too large for epoch seconds (milliseconds?)`;
  if (!(EVENT_TYPES as readonly string[]).includes(eventType)) {
    return `EVENT_TYPE "${eventType}" is not one of ${EVENT_TYPES.join(', ')}`;
  }
  return { userId, itemId, timestamp, eventType: eventType as EventType };
}

/**
 * The fields of one CSV line (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`), or undefined when the quoting is broken.
 * Interactions never carry newlines inside fields, so a record is one line.
 */
export function parseCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) return undefined;
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** Quotes a field only when it needs it, so plain ids stay plain. */
export function formatCsvLine(fields: readonly string[]): string {
  return fields.map((value) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value)).join(',');
}
