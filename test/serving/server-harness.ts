/** Starts the real local server (handler, service, static files) on a free port, the way `npm start` wires it. */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApiHandler } from '../../serving/api-handler';
import type { SearchResponse } from '../../serving/api-types';
import { createLocalServer } from '../../serving/local-server';
import { LocalSearchService } from '../../serving/local-search-service';

export interface RunningServer {
  readonly baseUrl: string;
  readonly server: Server;
  readonly service: LocalSearchService;
  /** Errors the handler logged as 500s; tests assert it stays empty. */
  readonly loggedErrors: unknown[];
  close(): Promise<void>;
}

export async function startServer(stateDir: string, options: { maxBodyBytes?: number } = {}): Promise<RunningServer> {
  const service = new LocalSearchService({ stateDir });
  await service.generation();
  const loggedErrors: unknown[] = [];
  const server = createLocalServer({
    handle: createApiHandler(service, { defaultWeight: 0.5, logError: (error) => loggedErrors.push(error) }),
    imageFile: (imageId) => service.imageFile(imageId),
    ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    server,
    service,
    loggedErrors,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

export async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T };
}

export function postJson<T = Record<string, unknown>>(url: string, value: unknown): Promise<{ status: number; body: T }> {
  return getJson<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
}

export interface ManifestLine {
  readonly imageId: string;
  readonly key: string;
  readonly style: string;
  readonly subject: string;
  readonly caption: string;
}

export async function readManifestLines(dataDir: string): Promise<ManifestLine[]> {
  const text = await readFile(join(dataDir, 'manifest.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ManifestLine);
}

/** Share of the results whose style is `style`. */
export function styleShare(response: SearchResponse, style: string): number {
  if (response.results.length === 0) return 0;
  return response.results.filter((r) => r.metadata.style === style).length / response.results.length;
}
