/**
 * `run --input FILE`: the execution input read from a JSON file and checked by the one rule (parseExecutionInput)
 * before anything starts. Every problem is one AppError naming the file; a JSON error says where (line and column).
 */
import { readFile } from 'node:fs/promises';
import { AppError, ValidationError } from '../core/errors';
import { parseExecutionInput } from '../core/execution-input';
import type { ExecutionInput } from '../core/execution-input';

export async function readExecutionInputFile(path: string): Promise<ExecutionInput> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new AppError(`cannot read the input file ${path}: ${why}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`the input file ${path} is not valid JSON: ${describeJsonError(text, error as Error)}`, { field: 'input', cause: error });
  }
  try {
    return parseExecutionInput(raw);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(`the input file ${path} is not a valid execution input: ${error.message}`, { field: error.field, cause: error });
  }
}

/** V8's message without the echo of the text, plus the line and column of the offending character. */
export function describeJsonError(text: string, error: Error): string {
  const problem = error.message.replace(/, ".*" is not valid JSON$/s, '').replace(/( in JSON)? at position \d+.*$/s, '');
  const position = jsonErrorPosition(text, error.message);
  return `${problem} at ${lineAndColumn(text, position)}`;
}

function jsonErrorPosition(text: string, message: string): number {
  const stated = /at position (\d+)/.exec(message);
  if (stated) return Number(stated[1]);
  if (message.startsWith('Unexpected end')) return text.length;
  // Node 20 names an unexpected token without its position: find the shortest prefix that fails before its end.
  let low = 0;
  let high = text.length;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (failsInside(text.slice(0, middle + 1))) high = middle;
    else low = middle + 1;
  }
  return low;
}

function failsInside(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith('Unexpected end')) return false;
    const stated = /at position (\d+)/.exec(message);
    return stated ? Number(stated[1]) < prefix.length : true;
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - (before.lastIndexOf('\n') + 1) + 1;
  return position >= text.length ? `the end of the file (line ${line})` : `line ${line}, column ${column}`;
}
