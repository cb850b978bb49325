/**
 * The local ranker's event log: one JSON line per tracked event, appended per PutEvents call, so a restarted server
 * replays what users did since the model was trained (Personalize keeps tracked events server-side the same way).
 */
import { appendFile, mkdir, readFile, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValidationError } from '../errors';

export interface LoggedEvent {
  readonly userId: string;
  readonly sessionId: string;
  readonly eventType: string;
  readonly itemId: string;
  readonly sentAt: Date;
}

export interface EventLogContents {
  readonly events: LoggedEvent[];
  /** The file ended inside a line (a crash mid-append): that fragment was skipped and cut off the file. */
  readonly torn: boolean;
}

/** Appends the events as one write, so a call's events are all logged or, after a crash, at worst cut at the end. */
export async function appendEventLog(path: string, events: readonly LoggedEvent[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const lines = events.map((e) =>
    JSON.stringify({ userId: e.userId, sessionId: e.sessionId, eventType: e.eventType, itemId: e.itemId, sentAt: e.sentAt.toISOString() }),
  );
  await appendFile(path, `${lines.join('\n')}\n`, 'utf8');
}

/**
 * The logged events in append order; a missing file is an empty log. A torn last line (no final newline, not valid)
 * is skipped and truncated away so the next append starts a clean line; any other corrupt line throws.
 */
export async function readEventLog(path: string): Promise<EventLogContents> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], torn: false };
    throw error;
  }
  const torn = text.length > 0 && !text.endsWith('\n');
  const lines = text.split('\n');
  const events: LoggedEvent[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const event = parseLine(line);
    if (event) events.push(event);
    else if (!(torn && i === lines.length - 1)) {
      throw new ValidationError(`event log ${path} line ${i + 1} is not a valid event: ${line.slice(0, 120)}`, { field: 'eventLog' });
    }
  });
  if (torn) {
    // A whole event that only lacks its newline is kept; a fragment is cut off.
    const lastComplete = parseLine(lines[lines.length - 1] as string) !== undefined;
    if (lastComplete) await appendFile(path, '\n', 'utf8');
    else await truncate(path, Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8'));
  }
  return { events, torn };
}

function parseLine(line: string): LoggedEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { userId, sessionId, eventType, itemId, sentAt } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || typeof sessionId !== 'string' || typeof eventType !== 'string' || typeof itemId !== 'string' || typeof sentAt !== 'string') {
    return undefined;
  }
  return { userId, sessionId, eventType, itemId, sentAt: new Date(sentAt) };
}
