import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenSearchImageCatalog } from '../../../core/aws/opensearch-image-catalog';
import { AppError, NotFoundError, ValidationError } from '../../../core/errors';

/** A loopback stand-in for the domain's GET /<index>/_doc/<id>, with a scripted 429 burst. */
const docs: Record<string, Record<string, unknown>> = {
  'images-gen-1/a 1': { id: 'a 1', generation: 'gen-1', cluster: 3, metadata: { style: 'ink', key: 'images/a.png' } },
  'images-gen-1/bad': { id: 'bad', generation: 'gen-1', metadata: {} },
};
const requests: string[] = [];
let throttleNext = 0;
let server: Server;
let client: Client;

function reply(req: IncomingMessage): { status: number; body: unknown } {
  const url = new URL(req.url ?? '/', 'http://localhost');
  requests.push(`${req.method} ${url.pathname}${url.search}`);
  if (throttleNext > 0) {
    throttleNext--;
    return { status: 429, body: { error: { type: 'too_many_requests' } } };
  }
  const match = /^\/([^/]+)\/_doc\/(.+)$/.exec(url.pathname);
  if (!match) return { status: 400, body: { error: 'bad path' } };
  const [, index, id] = match as unknown as [string, string, string];
  if (!index.endsWith('gen-1')) return { status: 404, body: { error: { type: 'index_not_found_exception', reason: `no such index [${index}]` } } };
  const doc = docs[`${index}/${decodeURIComponent(id)}`];
  return doc ? { status: 200, body: { _index: index, _id: id, found: true, _source: doc } } : { status: 404, body: { _index: index, _id: id, found: false } };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const { status, body } = reply(req);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new Client({ node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxRetries: 0 });
});

afterAll(async () => {
  await client.close();
  await new Promise((resolve) => server.close(resolve));
});

const noWait = { sleep: async () => undefined, random: () => 0 };

describe('OpenSearchImageCatalog', () => {
  it('GETs the document by id from the generation index, without the vector, and returns its cluster and metadata', async () => {
    requests.length = 0;
    const catalog = new OpenSearchImageCatalog({ client });
    expect(await catalog.lookup('gen-1', 'a 1')).toEqual({ cluster: 3, metadata: { style: 'ink', key: 'images/a.png' } });
    expect(requests).toEqual(['GET /images-gen-1/_doc/a%201?_source_excludes=vector']);
  });

  it('returns undefined for an id the generation does not have', async () => {
    expect(await new OpenSearchImageCatalog({ client }).lookup('gen-1', 'missing')).toBeUndefined();
  });

  it('throws NotFoundError naming the index when the generation index is gone', async () => {
    await expect(new OpenSearchImageCatalog({ client }).lookup('gen-9', 'a 1')).rejects.toThrow(NotFoundError);
    await expect(new OpenSearchImageCatalog({ client }).lookup('gen-9', 'a 1')).rejects.toThrow(/images-gen-9/);
  });

  it('retries throttling (429) with backoff, then answers', async () => {
    throttleNext = 2;
    const catalog = new OpenSearchImageCatalog({ client, retry: { ...noWait, maxAttempts: 3 } });
    expect(await catalog.lookup('gen-1', 'a 1')).toMatchObject({ cluster: 3 });
  });

  it('gives up after the configured attempts with an error naming the path and status', async () => {
    throttleNext = 5;
    const catalog = new OpenSearchImageCatalog({ client, retry: { ...noWait, maxAttempts: 2 } });
    await expect(catalog.lookup('gen-1', 'a 1')).rejects.toThrow(/GET \/images-gen-1\/_doc\/a%201 failed with status 429/);
    throttleNext = 0;
  });

  it('refuses a document without a cluster rather than guessing one', async () => {
    await expect(new OpenSearchImageCatalog({ client }).lookup('gen-1', 'bad')).rejects.toThrow(AppError);
  });

  it('rejects a generation name that is not a valid index name before calling the domain', async () => {
    await expect(new OpenSearchImageCatalog({ client }).lookup('../_all', 'x')).rejects.toThrow(ValidationError);
  });
});
