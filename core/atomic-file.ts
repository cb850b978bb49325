/**
 * Crash-safe file writes: the bytes go to a temp file beside the target, are fsynced, and only then renamed over the
 * target. rename(2) within one directory is atomic, so a reader sees either the old file or the whole new one, and a
 * crash leaves at worst a stray temp file (which `isTempFileName` recognises so listings can skip it).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_NAME = /^\..+\.tmp-\d+-[0-9a-f]{12}$/;
// Lines are gathered into chunks of about this many characters so that a million short lines are not a million writes.
const LINE_CHUNK_CHARS = 64 * 1024;

/** True for the name (last path segment) of a temp file this module creates. */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME.test(name);
}

/** Writes `path` atomically with whatever `write` puts into the temp file's handle. Parent folders are created. */
export async function writeAtomic(path: string, write: (handle: FileHandle) => Promise<void>): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx');
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncDirectory(dir);
}

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await writeAtomic(path, async (handle) => {
    await handle.writeFile(data);
  });
}

/** Writes each line followed by `\n`; the file appears only after the last line is on disk. */
export async function writeLinesAtomic(path: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  await writeAtomic(path, async (handle) => {
    let chunk = '';
    for await (const line of lines) {
      chunk += `${line}\n`;
      if (chunk.length >= LINE_CHUNK_CHARS) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) await handle.write(chunk);
  });
}

/** Makes a rename in `dir` durable. Some platforms cannot open a directory for syncing; there the rename is still atomic. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw error;
  } finally {
    await handle?.close();
  }
}
