import { readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../serving/api-handler';
import { copyLocalGeneration } from '../fixtures/local-generation';
import { startServer, type RunningServer } from './server-harness';

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Sends the path byte for byte (fetch would normalise dot segments before they reach the server). */
function raw(baseUrl: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string[] } = {}): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) for (const part of body) req.write(part);
    else if (body) req.write(body);
    req.end();
  });
}

describe('local server over HTTP', () => {
  const SMALL_LIMIT = 4096;
  let server: RunningServer;
  let small: RunningServer;
  let dataDir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const fixture = await copyLocalGeneration();
    ({ dataDir, cleanup } = fixture);
    [server, small] = await Promise.all([startServer(fixture.stateDir), startServer(fixture.stateDir, { maxBodyBytes: SMALL_LIMIT })]);
  });
  afterAll(async () => {
    await Promise.all([server?.close(), small?.close()]);
    await cleanup?.();
  });

  async function expectStillServing(target: RunningServer = server): Promise<void> {
    const health = await fetch(`${target.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  }

  it('serves a known image as image/png, byte for byte', async () => {
    const response = await raw(server.baseUrl, '/images/photo-cat-000');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.body.equals(await readFile(join(dataDir, 'images/photo/cat/photo-cat-000.png')))).toBe(true);
  });

  it('serves image urls exactly as search results give them', async () => {
    const body = (await (await fetch(`${server.baseUrl}/search?q=neon%20dog&k=3`)).json()) as { results: { url: string }[] };
    expect(body.results).toHaveLength(3);
    for (const { url } of body.results) {
      const image = await fetch(`${server.baseUrl}${url}`);
      expect(image.status).toBe(200);
      expect(image.headers.get('content-type')).toBe('image/png');
      expect(Buffer.from(await image.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  const hostile = [
    '/images/..%2F..%2Fetc%2Fpasswd',
    '/images/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd',
    '/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/images/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/images/../../../../etc/passwd',
    '/images/..%5C..%5Cetc%5Cpasswd',
    '/images/%2Fetc%2Fpasswd',
    '/images/images%2Fphoto%2Fcat%2Fphoto-cat-000.png',
    '/images/..%2Fmanifest.jsonl',
    '/images/photo-cat-000%00.png',
    '/images/%E0%A4%A',
    '/images/',
    '/images/no-such-image',
  ];

  it.each(hostile)('answers %s with a 4xx and never file content', async (path) => {
    const response = await raw(server.baseUrl, path);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const text = response.body.toString('utf8');
    expect(text).not.toContain('root:');
    expect(text).not.toContain('imageId":"photo');
    expect(JSON.parse(text)).toEqual({ error: expect.any(String) });
    await expectStillServing();
  });

  it('serves the page and its static files', async () => {
    const page = await fetch(`${server.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<title>Personalized image search</title>');
    expect(html).toContain('src="/app.js"');
    const app = await fetch(`${server.baseUrl}/app.js`);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await app.text()).toContain("fetch('/events'");
    const css = await fetch(`${server.baseUrl}/style.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('#grid');
  });

  it('does not serve other files from the web folder or the repository', async () => {
    for (const path of ['/index.html', '/web/app.js', '/local-server.ts', '/%2e%2e/package.json', '/../package.json']) {
      const response = await raw(server.baseUrl, path);
      expect(response.status, path).toBe(404);
      expect(response.body.toString()).not.toContain('"devDependencies"');
    }
  });

  it('routes the API through the shared handler', async () => {
    expect((await fetch(`${server.baseUrl}/search?q=cat`)).status).toBe(200);
    const badK = await fetch(`${server.baseUrl}/search?q=cat&k=0`);
    expect(badK.status).toBe(400);
    expect(((await badK.json()) as { error: string }).error).toMatch(/^k must be/);
    expect((await fetch(`${server.baseUrl}/search`, { method: 'DELETE' })).status).toBe(405);
    expect((await fetch(`${server.baseUrl}/nope`)).status).toBe(404);
    const notJson = await fetch(`${server.baseUrl}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(notJson.status).toBe(400);
    expect((await raw(server.baseUrl, '/search%ZZ')).status).toBe(400);
    await expectStillServing();
  });

  it('answers a declared body over the default limit with 413 and keeps answering', async () => {
    const body = Buffer.alloc(DEFAULT_MAX_BODY_BYTES + 1, 0x61);
    const response = await raw(server.baseUrl, '/search', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) }, body });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString()).error).toBe(`the request body is larger than ${DEFAULT_MAX_BODY_BYTES} bytes`);
    await expectStillServing();
  });

  it('answers a chunked body that grows past the limit with 413 and keeps answering', async () => {
    const parts = Array.from({ length: 8 }, () => 'x'.repeat(1024));
    const response = await raw(small.baseUrl, '/events', { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, body: parts });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body.toString()).error).toBe(`the request body is larger than ${SMALL_LIMIT} bytes`);
    await expectStillServing(small);
    // A body just under the limit still reaches the handler.
    const ok = await fetch(`${small.baseUrl}/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ q: `cat ${' '.repeat(3000)}` }) });
    expect(ok.status).toBe(200);
  });

  it('logged no internal errors', () => {
    expect(server.loggedErrors).toEqual([]);
    expect(small.loggedErrors).toEqual([]);
  });
});
