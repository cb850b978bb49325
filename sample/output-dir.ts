import { access, constants, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AppError, ValidationError } from '../core/errors';

/** false when missing (or under a parent that is not a folder: the writability check reports that). */
async function isNonEmptyDir(path: string): Promise<boolean | 'file'> {
  try {
    if (!(await stat(path)).isDirectory()) return 'file';
    return (await readdir(path)).length > 0;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/** Refuse early (before minutes of rendering) if the output cannot be written or would clobber data. */
export async function checkOutputDir(outDir: string, force: boolean): Promise<void> {
  const target = resolve(outDir);
  const state = await isNonEmptyDir(target);
  if (state === 'file') throw new ValidationError(`--out ${outDir} is a file, not a folder`, { field: 'out' });
  if (state && !force) {
    throw new ValidationError(`--out ${outDir} exists and is not empty; pass --force to replace it`, { field: 'out' });
  }
  const parent = dirname(target);
  try {
    await mkdir(parent, { recursive: true });
    await access(parent, constants.W_OK);
  } catch (cause) {
    throw new ValidationError(`--out ${outDir} is not writable: cannot create files in ${parent}`, { field: 'out', cause });
  }
}

/** A fresh sibling folder to build in, so a crash never leaves a half-written library at the destination. */
export async function makeStagingDir(outDir: string): Promise<string> {
  const target = resolve(outDir);
  const staging = join(dirname(target), `.${basename(target)}.partial-${process.pid}-${Date.now().toString(36)}`);
  try {
    await mkdir(staging, { recursive: false });
  } catch (cause) {
    throw new ValidationError(`--out ${outDir} is not writable: cannot create ${staging}`, { field: 'out', cause });
  }
  return staging;
}

/**
 * Move the finished staging folder to the destination. An existing non-empty destination is replaced only with
 * `force`, and only now that the new library is complete (old moved aside, new renamed in, old deleted).
 */
export async function publishStagingDir(staging: string, outDir: string, force: boolean): Promise<void> {
  const target = resolve(outDir);
  const state = await isNonEmptyDir(target);
  if (state === 'file') throw new ValidationError(`--out ${outDir} is a file, not a folder`, { field: 'out' });
  if (state && !force) {
    throw new ValidationError(`--out ${outDir} appeared while generating and is not empty; pass --force to replace it`, { field: 'out' });
  }
  let old: string | undefined;
  if (state) {
    old = `${staging}.old`;
    await rename(target, old);
  } else {
    await rm(target, { recursive: true, force: true });
  }
  try {
    await rename(staging, target);
  } catch (cause) {
    if (old) await rename(old, target).catch(() => undefined);
    throw new AppError(`could not move the finished library into ${outDir}`, { cause });
  }
  if (old) await rm(old, { recursive: true, force: true });
}
