import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MAX_BODY_BYTES } from './api-handler';
import { errorResponse, type HttpRequest, type HttpResponse } from './http-types';

export interface LocalServerOptions {
  /** The API handler (the same one the Lambda runs). */
  readonly handle: (request: HttpRequest) => Promise<HttpResponse>;
  /** Absolute path of an image's file, or undefined when the id is unknown. Only ids from the catalogue resolve. */
  readonly imageFile: (imageId: string) => string | undefined;
  readonly maxBodyBytes?: number;
}

const WEB_ROOT = fileURLToPath(new URL('./web/', import.meta.url));
const STATIC_FILES: Readonly<Record<string, string>> = { '/': 'index.html', '/app.js': 'app.js', '/style.css': 'style.css' };
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** The local HTTP server: the web page, image bytes, and the API through the shared handler. */
export function createLocalServer(options: LocalServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return createServer((req, res) => {
    serve(req, res, options, maxBodyBytes).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) send(res, errorResponse(500, 'internal error; the details are in the server log'));
      else res.destroy();
    });
  });
}

async function serve(req: IncomingMessage, res: ServerResponse, options: LocalServerOptions, maxBodyBytes: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const staticFile = STATIC_FILES[url.pathname];
  if (staticFile && method === 'GET') {
    const body = await readFile(join(WEB_ROOT, staticFile));
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(staticFile)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(body);
    return;
  }
  if (url.pathname.startsWith('/images/')) {
    serveImage(url.pathname.slice('/images/'.length), res, options);
    return;
  }
  const body = await readBody(req, maxBodyBytes);
  if (body === undefined) {
    send(res, errorResponse(413, `the request body is larger than ${maxBodyBytes} bytes`));
    req.resume();
    return;
  }
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    send(res, errorResponse(400, 'the path is not valid percent-encoding'));
    return;
  }
  const response = await options.handle({
    method,
    path,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])),
    ...(body.length > 0 && { body }),
  });
  send(res, response);
}

function serveImage(encodedId: string, res: ServerResponse, options: LocalServerOptions): void {
  let imageId: string;
  try {
    imageId = decodeURIComponent(encodedId);
  } catch {
    send(res, errorResponse(400, 'imageId is not valid percent-encoding'));
    return;
  }
  // Only ids the catalogue knows map to a file, so no path built from the request ever reaches the file system.
  const file = options.imageFile(imageId);
  if (!file) {
    send(res, errorResponse(404, `no image with imageId ${JSON.stringify(imageId.slice(0, 100))}`));
    return;
  }
  const stream = createReadStream(file);
  stream.on('open', () => {
    res.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'cache-control': 'public, max-age=3600' });
    stream.pipe(res);
  });
  stream.on('error', () => send(res, errorResponse(404, `the file of image ${imageId} is missing`)));
}

/** Reads the body as UTF-8, or returns undefined as soon as it grows past the limit. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: HttpResponse): void {
  res.writeHead(response.statusCode, response.headers);
  res.end(response.body);
}
