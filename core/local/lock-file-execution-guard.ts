/**
 * The ExecutionGuard port on a lock file: created with O_EXCL so two processes cannot both claim it. A lock left by
 * a process that no longer exists (a crash) is taken over instead of blocking every later run.
 */
import { mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConcurrentRunError } from '../errors';
import type { ExecutionGuard, RunClaim } from '../ports/execution-guard';

/** Who holds the lock: what `status` shows for a local run in progress. */
export interface LockHolder {
  readonly runId: string;
  readonly pid: number;
  /** ISO 8601, as the run claimed it. */
  readonly startedAt: string;
}

export interface LockFileExecutionGuardProps {
  readonly path: string;
  /** Whether the process holding a lock still runs. @default a signal-0 probe of the pid */
  readonly isAlive?: (pid: number) => boolean;
  /** @default process.pid */
  readonly pid?: number;
}

/** Whether a process with this pid exists (a signal-0 probe). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LockFileExecutionGuard implements ExecutionGuard {
  private readonly path: string;
  private readonly isAlive: (pid: number) => boolean;
  private readonly pid: number;

  constructor(props: LockFileExecutionGuardProps) {
    this.path = props.path;
    this.isAlive = props.isAlive ?? processAlive;
    this.pid = props.pid ?? process.pid;
  }

  async claim(run: RunClaim): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const content: LockHolder = { runId: run.runId, pid: this.pid, startedAt: run.startedAt.toISOString() };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(this.path, JSON.stringify(content), { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await this.read();
      if (holder?.runId === run.runId) return;
      if (holder && this.isAlive(holder.pid)) {
        throw new ConcurrentRunError(
          `another pipeline run is in progress (${holder.runId}, pid ${holder.pid}, started ${holder.startedAt}): ` +
            `wait for it to finish; if it is not running, delete ${this.path}`,
        );
      }
      await unlink(this.path).catch(() => undefined);
    }
    throw new ConcurrentRunError(`could not claim ${this.path}: another process claimed it at the same moment`);
  }

  async release(runId: string): Promise<void> {
    const holder = await this.read();
    if (holder?.runId === runId) await unlink(this.path).catch(() => undefined);
  }

  /** The run holding the lock while its process still runs; undefined when free or left by a crash. */
  async current(): Promise<LockHolder | undefined> {
    const holder = await this.read();
    return holder && this.isAlive(holder.pid) ? holder : undefined;
  }

  private async read(): Promise<LockHolder | undefined> {
    try {
      const value = JSON.parse(await readFile(this.path, 'utf8')) as Partial<LockHolder>;
      if (typeof value.runId !== 'string' || typeof value.pid !== 'number') return undefined;
      return { runId: value.runId, pid: value.pid, startedAt: String(value.startedAt) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      // A half-written or foreign file: treat as stale rather than blocking forever.
      if (error instanceof SyntaxError) return undefined;
      throw error;
    }
  }
}
