/**
 * A small in-memory OpenSearch on a loopback port: just the endpoints the vector index adapter uses, with exact k-NN
 * (scores per the faiss space-type formulas), refresh visibility, aliases with atomic `_aliases`, a request log, and
 * fault injection (a queued whole-request status, per-item bulk failures).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import { cosineToScore } from '../../../core/aws/opensearch-requests';
import type { SpaceType } from '../../../core/aws/opensearch-requests';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly body: string;
}

type Doc = Record<string, unknown> & { vector: number[] };

interface FakeIndex {
  mappings: { _meta?: Record<string, unknown>; properties: Record<string, { dimension?: number; method?: { space_type?: SpaceType } }> };
  settings: unknown;
  /** Written by _bulk; copied to `visible` by _refresh, as OpenSearch only searches refreshed segments. */
  docs: Map<string, Doc>;
  visible: Map<string, Doc>;
}

export type BulkItemFault = (id: string, attempt: number) => { status: number; type: string; reason: string } | undefined;

export class FakeOpenSearch {
  readonly requests: RecordedRequest[] = [];
  readonly indices = new Map<string, FakeIndex>();
  readonly aliases = new Map<string, string>();
  /** Statuses the next requests answer with instead of being handled (429 to test backoff). */
  readonly faults: { status: number; body: unknown }[] = [];
  bulkItemFault: BulkItemFault | undefined;
  /** Runs after a request was handled, before the response is sent: lets a test change state between two requests. */
  afterRequest: ((request: RecordedRequest) => void) | undefined;
  private readonly bulkAttempts = new Map<string, number>();
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  client(): Client {
    return new Client({ node: this.url, maxRetries: 0 });
  }

  reset(): void {
    this.requests.length = 0;
    this.indices.clear();
    this.aliases.clear();
    this.faults.length = 0;
    this.bulkItemFault = undefined;
    this.bulkAttempts.clear();
    this.afterRequest = undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: decodeURIComponent(url.pathname), query: url.search, body });
    const fault = this.faults.shift();
    const [status, payload] = fault ? [fault.status, fault.body] : this.route(method, decodeURIComponent(url.pathname).split('/').filter(Boolean), body);
    this.afterRequest?.(this.requests.at(-1) as RecordedRequest);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(payload));
  }

  private route(method: string, parts: string[], body: string): [number, unknown] {
    const [first, second, third] = parts;
    const json = (): Record<string, unknown> => (body === '' ? {} : (JSON.parse(body) as Record<string, unknown>));
    if (first === '_bulk' && method === 'POST') return this.bulk(body);
    if (first === '_aliases' && method === 'POST') return this.updateAliases(json().actions as Record<string, { index: string; alias: string }>[]);
    if (first === '_alias' && second !== undefined && method === 'GET') {
      const index = this.aliases.get(second);
      return index === undefined ? [404, { error: `alias [${second}] missing`, status: 404 }] : [200, { [index]: { aliases: { [second]: {} } } }];
    }
    if (first === undefined) return [404, error('not_found', 'no route')];
    if (second === undefined && method === 'PUT') return this.createIndex(first, json());
    if (second === undefined && method === 'DELETE') {
      if (!this.indices.delete(first)) return missingIndex(first);
      for (const [alias, index] of this.aliases) if (index === first) this.aliases.delete(alias);
      return [200, { acknowledged: true }];
    }
    if (second === '_mapping' && method === 'GET') return this.byPattern(first, (index) => ({ mappings: index.mappings }));
    if (second === '_alias' && third === undefined && method === 'GET') {
      return this.byPattern(first, (_index, name) => ({ aliases: Object.fromEntries([...this.aliases].filter(([, i]) => i === name).map(([a]) => [a, {}])) }));
    }
    const index = this.indices.get(first);
    if (second === '_search' && method === 'POST') return this.search(first, json());
    if (index === undefined) return missingIndex(first);
    if (second === '_mapping' && method === 'PUT') {
      index.mappings._meta = json()._meta as Record<string, unknown>;
      return [200, { acknowledged: true }];
    }
    if (second === '_refresh' && method === 'POST') {
      index.visible = new Map(index.docs);
      return [200, { _shards: { total: 1, successful: 1, failed: 0 } }];
    }
    if (second === '_count' && method === 'GET') return [200, { count: index.visible.size }];
    return [404, error('not_found', `no route ${method} /${parts.join('/')}`)];
  }

  private createIndex(name: string, body: Record<string, unknown>): [number, unknown] {
    if (this.indices.has(name)) return [400, error('resource_already_exists_exception', `index [${name}] already exists`)];
    this.indices.set(name, { mappings: body.mappings as FakeIndex['mappings'], settings: body.settings, docs: new Map(), visible: new Map() });
    return [200, { acknowledged: true, index: name }];
  }

  private byPattern(pattern: string, view: (index: FakeIndex, name: string) => unknown): [number, unknown] {
    if (!pattern.includes('*') && !this.indices.has(pattern)) return missingIndex(pattern);
    const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const out: Record<string, unknown> = {};
    for (const [name, index] of this.indices) if (re.test(name)) out[name] = view(index, name);
    return [200, out];
  }

  private bulk(body: string): [number, unknown] {
    const lines = body.split('\n').filter((l) => l !== '');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const action = (JSON.parse(lines[i] as string) as { index: { _index: string; _id: string } }).index;
      const source = JSON.parse(lines[i + 1] as string) as Doc;
      const attempt = (this.bulkAttempts.get(action._id) ?? 0) + 1;
      this.bulkAttempts.set(action._id, attempt);
      const fault = this.bulkItemFault?.(action._id, attempt);
      const index = this.indices.get(action._index);
      const dimension = index?.mappings.properties.vector?.dimension;
      if (fault) items.push({ index: { _index: action._index, _id: action._id, status: fault.status, error: { type: fault.type, reason: fault.reason } } });
      else if (!index) items.push({ index: { _id: action._id, status: 404, error: { type: 'index_not_found_exception', reason: 'no such index' } } });
      else if (source.vector.length !== dimension) items.push({ index: { _id: action._id, status: 400, error: { type: 'mapper_parsing_exception', reason: 'wrong dimension' } } });
      else {
        index.docs.set(action._id, source);
        items.push({ index: { _index: action._index, _id: action._id, status: 201, result: 'created' } });
      }
    }
    return [200, { took: 1, errors: items.some((i) => (i as { index: { error?: unknown } }).index.error !== undefined), items }];
  }

  private search(target: string, body: Record<string, unknown>): [number, unknown] {
    const name = this.aliases.get(target) ?? target;
    const index = this.indices.get(name);
    if (index === undefined) return missingIndex(target);
    const knn = (body.query as { knn: { vector: { vector: number[]; k: number; filter?: { bool: { filter: Record<string, Record<string, unknown[]>>[] } } } } }).knn.vector;
    const field = index.mappings.properties.vector;
    if (knn.vector.length !== field?.dimension) return [400, error('illegal_argument_exception', `Query vector has invalid dimension: ${knn.vector.length}. Dimension should be: ${field?.dimension}`)];
    const spaceType = field.method?.space_type ?? 'l2';
    const clauses = knn.filter?.bool.filter ?? [];
    const matches = (doc: Doc): boolean =>
      clauses.every((clause) => {
        const [path, allowed] = Object.entries(clause.terms as Record<string, unknown[]>)[0] as [string, unknown[]];
        const value = path === 'cluster' ? doc.cluster : (doc.metadata as Record<string, string>)[path.slice('metadata.'.length)];
        return value !== undefined && allowed.includes(value);
      });
    const hits = [...index.visible.values()]
      .filter(matches)
      .map((doc, order) => ({ doc, order, score: cosineToScore(dotProduct(knn.vector, doc.vector), spaceType) }))
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, Math.min(knn.k, Number(body.size)))
      .map(({ doc, score }) => {
        const { vector: _vector, ...source } = doc;
        return { _index: name, _id: doc.id, _score: score, _source: source };
      });
    return [200, { took: 1, timed_out: false, hits: { total: { value: hits.length, relation: 'eq' }, max_score: hits[0]?._score ?? null, hits } }];
  }

  private updateAliases(actions: Record<string, { index: string; alias: string }>[]): [number, unknown] {
    for (const action of actions) {
      if (action.remove && this.aliases.get(action.remove.alias) !== action.remove.index) {
        return [404, error('aliases_not_found_exception', `aliases [${action.remove.alias}] missing`)];
      }
      if (action.add && !this.indices.has(action.add.index)) return missingIndex(action.add.index);
    }
    // All checked first, then applied: the whole call takes effect or none of it, as in OpenSearch.
    for (const action of actions) {
      if (action.remove) this.aliases.delete(action.remove.alias);
      if (action.add) this.aliases.set(action.add.alias, action.add.index);
    }
    return [200, { acknowledged: true }];
  }
}

function dotProduct(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function error(type: string, reason: string): { error: { type: string; reason: string }; status: number } {
  return { error: { type, reason }, status: 400 };
}

function missingIndex(name: string): [number, unknown] {
  return [404, { error: { type: 'index_not_found_exception', reason: `no such index [${name}]` }, status: 404 }];
}
