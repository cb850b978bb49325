/** A folder on disk standing in for an S3 bucket: keys are `/`-separated paths below the root. */
import { open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isTempFileName, writeFileAtomic, writeLinesAtomic } from '../atomic-file';
import { NotFoundError, ValidationError } from '../errors';
import type { ObjectStore } from '../ports/object-store';
import { textLines } from '../text-lines';

export interface FolderObjectStoreProps {
  /** The folder that holds the objects; created on the first write. */
  readonly root: string;
}

// S3's limit on key length, in bytes of UTF-8.
const MAX_KEY_BYTES = 1024;

export class FolderObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(props: FolderObjectStoreProps) {
    if (typeof props.root !== 'string' || props.root.length === 0) {
      throw new ValidationError('FolderObjectStore needs a root folder', { field: 'root' });
    }
    this.root = resolve(props.root);
  }

  async getBytes(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (error) {
      throw this.translateMissing(error, key);
    }
  }

  async putBytes(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await writeFileAtomic(path, body);
    } catch (error) {
      throw this.translateConflict(error, key);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const lastSlash = prefix.lastIndexOf('/');
    const folderKey = lastSlash < 0 ? '' : prefix.slice(0, lastSlash);
    const keys: string[] = [];
    await this.walk(folderKey, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  /** Like S3, deleting a key that does not exist is not an error. */
  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      if ((await stat(path)).isFile()) await rm(path, { force: true });
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async *readLines(key: string): AsyncIterable<string> {
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw this.translateMissing(error, key);
    }
    try {
      yield* textLines(handle.createReadStream({ encoding: 'utf8' }));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  async writeLines(key: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
    const path = this.pathOf(key);
    try {
      await writeLinesAtomic(path, checkedLines(key, lines));
    } catch (error) {
      throw this.translateConflict(error, key);
    }
  }

  private pathOf(key: string): string {
    validateKey(key);
    const path = resolve(this.root, ...key.split('/'));
    // validateKey already rules out escapes; this second check guards against a rule being loosened later.
    if (!path.startsWith(this.root + sep)) {
      throw new ValidationError(`object key "${key}" resolves outside the store root`, { field: 'key' });
    }
    return path;
  }

  private async walk(folderKey: string, into: string[]): Promise<void> {
    const dir = folderKey === '' ? this.root : join(this.root, ...folderKey.split('/'));
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const key = folderKey === '' ? entry.name : `${folderKey}/${entry.name}`;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (entry.isFile() && !isTempFileName(entry.name)) into.push(key);
    }
  }

  private translateMissing(error: unknown, key: string): unknown {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') {
      return new NotFoundError(`object "${key}" does not exist in folder store ${this.root}`, { cause: error });
    }
    return error;
  }

  private translateConflict(error: unknown, key: string): unknown {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
      // S3 allows both "a" and "a/b"; a folder cannot, so one of them has to be renamed.
      return new ValidationError(`object key "${key}" clashes with an existing object or folder in ${this.root}`, {
        field: 'key',
        cause: error,
      });
    }
    return error;
  }
}

/** Rejects keys that could name something outside the root or that S3 and a folder would treat differently. */
export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new ValidationError('object key must be a non-empty string', { field: 'key' });
  checkCharacters(key, 'object key');
  if (key.endsWith('/')) throw new ValidationError(`object key "${key}" must not end with "/"`, { field: 'key' });
  checkSegments(key.split('/'), key, 'object key');
}

function validatePrefix(prefix: string): void {
  if (typeof prefix !== 'string') throw new ValidationError('list prefix must be a string', { field: 'prefix' });
  if (prefix.length === 0) return;
  checkCharacters(prefix, 'list prefix');
  // The last segment may be a partial name ("images/ca"); only the complete folder segments must be safe.
  checkSegments(prefix.split('/').slice(0, -1), prefix, 'list prefix');
  const last = prefix.slice(prefix.lastIndexOf('/') + 1);
  if (last === '..') throw new ValidationError(`list prefix "${prefix}" must not contain ".." segments`, { field: 'prefix' });
}

function checkCharacters(key: string, what: string): void {
  const field = what === 'object key' ? 'key' : 'prefix';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new ValidationError(`${what} is longer than ${MAX_KEY_BYTES} bytes`, { field });
  }
  if (key.includes('\0')) throw new ValidationError(`${what} "${key.replace('\0', '\\0')}" must not contain NUL`, { field });
  if (key.includes('\\')) throw new ValidationError(`${what} "${key}" must use "/" separators, not "\\"`, { field });
  if (key.startsWith('/')) throw new ValidationError(`${what} "${key}" must be relative (no leading "/")`, { field });
  if (/^[A-Za-z]:/.test(key)) throw new ValidationError(`${what} "${key}" must not start with a drive letter`, { field });
}

function checkSegments(segments: readonly string[], key: string, what: string): void {
  const field = what === 'object key' ? 'key' : 'prefix';
  for (const segment of segments) {
    if (segment === '') throw new ValidationError(`${what} "${key}" has an empty path segment`, { field });
    if (segment === '.' || segment === '..') {
      throw new ValidationError(`${what} "${key}" must not contain "." or ".." segments`, { field });
    }
    if (isTempFileName(segment)) throw new ValidationError(`${what} "${key}" looks like a temp file name`, { field });
  }
}

async function* checkedLines(key: string, lines: AsyncIterable<string> | Iterable<string>): AsyncIterable<string> {
  let index = 0;
  for await (const line of lines) {
    if (typeof line !== 'string' || line.includes('\n') || line.includes('\r')) {
      throw new ValidationError(`line ${index + 1} written to "${key}" must be a string without line breaks`, { field: 'lines' });
    }
    index++;
    yield line;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
