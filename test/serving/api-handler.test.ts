import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHandler } from '../../serving/api-handler';
import type { EventRequest, HealthResponse, SearchRequest, SearchResponse, SearchService } from '../../serving/api-types';
import type { HttpRequest, HttpResponse } from '../../serving/http-types';
import { LocalSearchService } from '../../serving/local-search-service';
import { copyLocalGeneration, FIXTURE_GENERATION } from '../fixtures/local-generation';
import { readManifestLines, styleShare, type ManifestLine } from './server-harness';

type Handler = (request: HttpRequest) => Promise<HttpResponse>;

function get(path: string, query: Record<string, string> = {}): HttpRequest {
  return { method: 'GET', path, query, headers: {} };
}

function post(path: string, body: unknown): HttpRequest {
  return { method: 'POST', path, query: {}, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function parse<T = Record<string, unknown>>(response: HttpResponse): T {
  return JSON.parse(response.body) as T;
}

/** Records what reaches the service, so a test can tell validation stopped a request before it did. */
class FakeSearchService implements SearchService {
  readonly searches: SearchRequest[] = [];
  readonly events: EventRequest[] = [];

  async search(request: SearchRequest): Promise<SearchResponse> {
    this.searches.push(request);
    return { results: [], generation: 'gen-fake', weight: request.weight, personalized: false };
  }

  async recordEvent(event: EventRequest): Promise<void> {
    this.events.push(event);
  }

  async health(): Promise<HealthResponse> {
    return { status: 'ok', generation: 'gen-fake', images: 0, models: {} };
  }
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FIXED_NOW = new Date('2026-12-04T12:00:00Z');

describe('API handler validation (fake service)', () => {
  const service = new FakeSearchService();
  const handle = createApiHandler(service, { defaultWeight: 0.4, maxBodyBytes: 64 * 1024, now: () => FIXED_NOW });

  // Each case: the request, the status, and a pattern naming the field at fault.
  const badRequests: [string, HttpRequest, number, RegExp][] = [
    ['neither q nor image', get('/search'), 400, /text query q, an image, or both/],
    ['a blank q and no image', get('/search', { q: '   ' }), 400, /text query q/],
    ['k = 0', get('/search', { q: 'cat', k: '0' }), 400, /^k must be a whole number from 1 to 100, got 0/],
    ['k = 101', get('/search', { q: 'cat', k: '101' }), 400, /^k must be a whole number from 1 to 100, got 101/],
    ['k = 2.5', get('/search', { q: 'cat', k: '2.5' }), 400, /^k must be a whole number .* got 2\.5/],
    ['k = "ten"', get('/search', { q: 'cat', k: 'ten' }), 400, /^k must be a number, got "ten"/],
    ['weight = 2', get('/search', { q: 'cat', weight: '2' }), 400, /^weight must be between 0 and 1, got 2/],
    ['weight = -0.1', get('/search', { q: 'cat', weight: '-0.1' }), 400, /^weight must be between 0 and 1, got -0\.1/],
    ['weight = "abc"', get('/search', { q: 'cat', weight: 'abc' }), 400, /^weight must be a number, got "abc"/],
    ['an empty userId', get('/search', { q: 'cat', userId: '' }), 400, /^userId must not be empty/],
    ['a 257-character userId', get('/search', { q: 'cat', userId: 'u'.repeat(257) }), 400, /^userId is 257 characters long; at most 256/],
    ['a userId with a control character', get('/search', { q: 'cat', userId: 'ann\u0007' }), 400, /^userId must not contain control characters/],
    ['a userId with a newline', post('/search', { q: 'cat', userId: 'ann\nbob' }), 400, /^userId must not contain control characters/],
    ['a numeric userId', post('/search', { q: 'cat', userId: 42 }), 400, /^userId must be a string/],
    ['q over 500 characters', get('/search', { q: 'c'.repeat(501) }), 400, /^q is 501 characters long; at most 500/],
    ['q that is not a string', post('/search', { q: ['cat'] }), 400, /^q must be a string/],
    ['k = 2.5 in a JSON body', post('/search', { q: 'cat', k: 2.5 }), 400, /^k must be a whole number/],
    ['an image that is a GIF', post('/search', { image: Buffer.from('GIF89a\x01\x00\x01\x00').toString('base64') }), 400, /^image must be a PNG or JPEG/],
    ['an image that is not base64', post('/search', { image: 'not*base64!' }), 400, /^image is not valid base64/],
    ['an image that is not a string', post('/search', { image: 12 }), 400, /^image must be a base64 string/],
    ['a body that is not JSON', post('/search', '{"q": "cat"'), 400, /request body must be a JSON object/],
    ['a JSON array body', post('/search', '["cat"]'), 400, /request body must be a JSON object/],
    ['a JSON string body', post('/events', '"cat"'), 400, /request body must be a JSON object/],
    ['an empty POST body', post('/events', ''), 400, /request body must be a JSON object/],
    ['a body over the limit', post('/search', { q: 'c'.repeat(70 * 1024) }), 413, /request body is larger than 65536 bytes/],
    ['an event without userId', post('/events', { imageId: 'a', eventType: 'view' }), 400, /^userId must be a string/],
    ['an event with an empty imageId', post('/events', { userId: 'u', imageId: '', eventType: 'view' }), 400, /^imageId must not be empty/],
    ['an event with a bad eventType', post('/events', { userId: 'u', imageId: 'a', eventType: 'like' }), 400, /^eventType must be one of view, favorite, download, got "like"/],
    ['an event with a bad timestamp', post('/events', { userId: 'u', imageId: 'a', eventType: 'view', timestamp: 'yesterday' }), 400, /^timestamp must be/],
    ['an unknown route', get('/nope'), 404, /^no route for \/nope$/],
    ['DELETE /search', { ...get('/search'), method: 'DELETE' }, 405, /^DELETE is not allowed on \/search; use GET or POST$/],
    ['GET /events', get('/events'), 405, /^GET is not allowed on \/events; use POST$/],
    ['POST /health', post('/health', {}), 405, /^POST is not allowed on \/health; use GET$/],
  ];

  it.each(badRequests)('refuses %s with a clear message and never calls the service', async (_name, request, status, message) => {
    const before = { searches: service.searches.length, events: service.events.length };
    const response = await handle(request);
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(parse<{ error: string }>(response).error).toMatch(message);
    expect({ searches: service.searches.length, events: service.events.length }).toEqual(before);
    // The handler keeps working after every refusal.
    expect((await handle(get('/search', { q: 'cat' }))).statusCode).toBe(200);
  });

  it('an image just over 5 MB is refused by size, not by type', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 1);
    big.set(PNG_MAGIC);
    const bigHandler = createApiHandler(service, { defaultWeight: 0.4 });
    const response = await bigHandler(post('/search', { image: big.toString('base64') }));
    expect(response.statusCode).toBe(400);
    expect(parse<{ error: string }>(response).error).toMatch(/^image is 5242881 bytes; at most 5242880 \(5 MB\) are allowed/);
  });

  it('passes a valid GET search on with defaults filled in', async () => {
    const response = await handle(get('/search', { q: '  neon cat  ', userId: 'ann' }));
    expect(response.statusCode).toBe(200);
    expect(service.searches.at(-1)).toEqual({ q: 'neon cat', userId: 'ann', k: 10, weight: 0.4 });
  });

  it('decodes a base64 image, with or without a data-URL prefix', async () => {
    const png = Buffer.from([...PNG_MAGIC, 1, 2, 3]);
    for (const image of [png.toString('base64'), `data:image/png;base64,${png.toString('base64')}`]) {
      expect((await handle(post('/search', { image, k: 3, weight: 0 }))).statusCode).toBe(200);
      const request = service.searches.at(-1);
      expect(Buffer.from(request?.image ?? [])).toEqual(png);
      expect(request).toMatchObject({ k: 3, weight: 0 });
    }
  });

  it('records an event with the session defaulting to the user and the time to now', async () => {
    const response = await handle(post('/events', { userId: 'ann', imageId: 'photo-cat-000', eventType: 'favorite' }));
    expect(response.statusCode).toBe(202);
    expect(parse(response)).toEqual({ accepted: true });
    expect(service.events.at(-1)).toEqual({ userId: 'ann', imageId: 'photo-cat-000', eventType: 'favorite', sessionId: 'ann', timestamp: FIXED_NOW });
  });

  it('accepts epoch seconds and ISO dates as event timestamps', async () => {
    await handle(post('/events', { userId: 'ann', imageId: 'a', eventType: 'view', timestamp: 1_767_225_600 }));
    expect(service.events.at(-1)?.timestamp.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    await handle(post('/events', { userId: 'ann', imageId: 'a', eventType: 'view', timestamp: '2026-02-01T00:00:00Z' }));
    expect(service.events.at(-1)?.timestamp.toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('answers 500 without details when the service fails unexpectedly, and logs the error', async () => {
    const logged: unknown[] = [];
    const failing: SearchService = { search: async () => Promise.reject(new Error('disk on fire')), recordEvent: async () => undefined, health: async () => service.health() };
    const response = await createApiHandler(failing, { defaultWeight: 0.5, logError: (e) => logged.push(e) })(get('/search', { q: 'cat' }));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('disk on fire');
    expect(logged).toHaveLength(1);
  });
});

describe('API handler over the local search service', () => {
  let handle: Handler;
  let stateDir: string;
  let dataDir: string;
  let manifest: ManifestLine[];
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const fixture = await copyLocalGeneration();
    ({ stateDir, dataDir, cleanup } = fixture);
    manifest = await readManifestLines(dataDir);
    handle = createApiHandler(new LocalSearchService({ stateDir }), { defaultWeight: 0.5 });
  });
  afterAll(() => cleanup?.());

  const search = async (query: Record<string, string>) => {
    const response = await handle(get('/search', query));
    expect(response.statusCode, response.body).toBe(200);
    return parse<SearchResponse>(response);
  };

  it('GET /search returns k results with url, metadata and a why, not personalised without a user', async () => {
    const body = await search({ q: 'cat', k: '10' });
    expect(body.generation).toBe(FIXTURE_GENERATION);
    expect(body.personalized).toBe(false);
    expect(body.results).toHaveLength(10);
    for (const result of body.results) {
      expect(result.url).toBe(`/images/${result.imageId}`);
      expect(result.metadata).toMatchObject({ style: expect.any(String), subject: expect.any(String), caption: expect.any(String) });
      expect(result.metadata).not.toHaveProperty('key');
      expect(result.preference).toBeNull();
      expect(result.why).toMatch(/similarity \d\.\d\d .*not personalised/);
    }
    // A text query for a subject finds that subject far above chance (1 in 8).
    expect(body.results.filter((r) => r.metadata.subject === 'cat').length).toBeGreaterThanOrEqual(6);
  });

  it('gives a user never seen before the non-personalised order', async () => {
    const anonymous = await search({ q: 'dog', k: '20' });
    const stranger = await search({ q: 'dog', k: '20', userId: 'never-seen-before-user' });
    expect(stranger.personalized).toBe(false);
    expect(stranger.results.map((r) => r.imageId)).toEqual(anonymous.results.map((r) => r.imageId));
  });

  it('personalises for a user with history, and weight 0 switches it off', async () => {
    const anonymous = await search({ q: 'cat', k: '10' });
    const neon = await search({ q: 'cat', k: '10', userId: 'neon-punk-user', weight: '0.5' });
    expect(neon.personalized).toBe(true);
    expect(neon.results[0]?.why).toMatch(/preference \d\.\d\d/);
    expect(styleShare(neon, 'neon-punk')).toBeGreaterThan(styleShare(anonymous, 'neon-punk'));
    const off = await search({ q: 'cat', k: '10', userId: 'neon-punk-user', weight: '0' });
    expect(off.results.map((r) => r.imageId)).toEqual(anonymous.results.map((r) => r.imageId));
  });

  it('POST /search with a sample image finds images of its style', async () => {
    for (const imageId of ['neon-punk-dog-001', 'watercolor-tree-002', 'pixel-art-fish-000']) {
      const entry = manifest.find((m) => m.imageId === imageId) as ManifestLine;
      const image = (await readFile(join(dataDir, entry.key))).toString('base64');
      const response = await handle(post('/search', { image, k: 10 }));
      expect(response.statusCode, response.body).toBe(200);
      const body = parse<SearchResponse>(response);
      expect(body.results.slice(0, 3).map((r) => r.imageId)).toContain(imageId);
      expect(styleShare(body, entry.style), `${imageId}: ${body.results.map((r) => r.imageId).join(' ')}`).toBeGreaterThanOrEqual(0.7);
    }
  });

  it('POST /search with text and image together returns results', async () => {
    const entry = manifest.find((m) => m.imageId === 'comic-horse-000') as ManifestLine;
    const image = `data:image/png;base64,${(await readFile(join(dataDir, entry.key))).toString('base64')}`;
    const response = await handle(post('/search', { q: 'comic horse', image, k: 5 }));
    expect(response.statusCode, response.body).toBe(200);
    expect(styleShare(parse<SearchResponse>(response), 'comic')).toBeGreaterThanOrEqual(0.6);
  });

  it('a PNG header with garbage after it is a 400 naming the image, not a 500', async () => {
    const response = await handle(post('/search', { image: Buffer.from([...PNG_MAGIC, 0, 0, 0, 13, 1, 2]).toString('base64') }));
    expect(response.statusCode).toBe(400);
    expect(parse<{ error: string }>(response).error).toMatch(/image/);
  });

  it('GET /health names the generation, the image count and the model versions', async () => {
    const response = await handle(get('/health'));
    expect(response.statusCode).toBe(200);
    const health = parse<HealthResponse>(response);
    expect(health).toMatchObject({ status: 'ok', generation: FIXTURE_GENERATION, images: manifest.length });
    expect(health.models).toEqual({ embedder: expect.stringMatching(/^local-dual-encoder-/), ranker: expect.stringMatching(/\S/), index: FIXTURE_GENERATION });
  });

  it('POST /events appends to the event log and answers 202', async () => {
    const response = await handle(post('/events', { userId: 'handler-user', imageId: 'photo-cat-000', eventType: 'view', sessionId: 's1' }));
    expect(response.statusCode, response.body).toBe(202);
    const log = await readFile(join(stateDir, 'events.jsonl'), 'utf8');
    expect(log).toContain('"userId":"handler-user"');
    expect(log).toContain('"itemId":"photo-cat-000"');
  });

  it('POST /events with an unknown imageId is a 404 naming the id, and nothing is logged', async () => {
    const response = await handle(post('/events', { userId: 'handler-user', imageId: 'no-such-image', eventType: 'view' }));
    expect(response.statusCode).toBe(404);
    expect(parse<{ error: string }>(response).error).toMatch(/no image with imageId "no-such-image" in generation gen-fixture/);
    const log = await readFile(join(stateDir, 'events.jsonl'), 'utf8').catch(() => '');
    expect(log).not.toContain('no-such-image');
    expect((await handle(get('/search', { q: 'cat' }))).statusCode).toBe(200);
  });

  it('refuses bad input to the real service with 4xx and keeps serving', async () => {
    const bad = [
      get('/search', { q: 'cat', k: '0' }),
      get('/search', { q: 'cat', weight: '2' }),
      get('/search', { q: 'cat', userId: 'x'.repeat(257) }),
      post('/search', '[1, 2]'),
      post('/events', { userId: 'u', imageId: 'photo-cat-000', eventType: 'like' }),
      { ...get('/health'), method: 'PUT' },
      get('/admin'),
    ];
    for (const request of bad) {
      const response = await handle(request);
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
    }
    expect((await search({ q: 'cat' })).results).toHaveLength(10);
  });
});
