/** A closed-loop HTTP load generator (each client sends its next request when the last one answers) and the server child it talks to. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 120_000;

export interface ServerChild {
  readonly port: number;
  readonly pid: number;
  /** Peak and current memory of the server process, as it reports them. */
  usage(): Promise<{ maxRssKiB: number; rssBytes: number; heapUsedBytes: number }>;
  stop(): Promise<void>;
}

/** Starts the real local server (LocalSearchService + API handler + HTTP server) on a free loopback port. */
export function startServerChild(stateDir: string): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, stateDir], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`the server child did not report ready within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server child exited with code ${code} before it was ready; its errors are above`));
    });
    child.once('message', (message: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (message.type !== 'ready' || typeof message.port !== 'number') {
        child.kill();
        reject(new Error(`unexpected first message from the server child: ${JSON.stringify(message)}`));
        return;
      }
      resolve(wrap(child, message.port));
    });
  });
}

function wrap(child: ChildProcess, port: number): ServerChild {
  return {
    port,
    pid: child.pid as number,
    usage: () =>
      new Promise((resolve) => {
        child.once('message', (m: { type: string; maxRssKiB: number; rssBytes: number; heapUsedBytes: number }) => resolve(m));
        child.send({ type: 'usage' });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface LoadResult {
  /** Milliseconds from sending each request to its last response byte. */
  readonly latenciesMs: number[];
  readonly wallMs: number;
  readonly requestsPerSecond: number;
}

/**
 * Sends `paths` (cycled until `total` requests) from `concurrency` keep-alive clients; any status but 200 fails the
 * run, so an error page can never pass for a fast answer.
 */
export async function runLoad(port: number, paths: readonly string[], total: number, concurrency: number): Promise<LoadResult> {
  if (paths.length === 0) throw new RangeError('runLoad needs at least one request path');
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latenciesMs: number[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < total) {
      const path = paths[next++ % paths.length] as string;
      const started = performance.now();
      await get(agent, port, path);
      latenciesMs.push(performance.now() - started);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, client));
  } finally {
    agent.destroy();
  }
  const wallMs = performance.now() - started;
  return { latenciesMs, wallMs, requestsPerSecond: (latenciesMs.length * 1000) / wallMs };
}

function get(agent: Agent, port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode === 200) resolve();
        else reject(new Error(`GET ${path} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
