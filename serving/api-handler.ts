import { NoIndexError, NotFoundError, ValidationError } from '../core/errors';
import type { SearchService } from './api-types';
import { errorResponse, json, type HttpRequest, type HttpResponse } from './http-types';
import { parseEventRequest, parseSearchRequest } from './request-validation';

export interface ApiHandlerOptions {
  /** Personalisation weight when a request gives none. */
  readonly defaultWeight: number;
  /** Largest request body accepted, in bytes (a 5 MB image is about 6.7 MB as base64). */
  readonly maxBodyBytes?: number;
  readonly now?: () => Date;
  readonly logError?: (error: unknown) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 7 * 1024 * 1024;

type Route = (request: HttpRequest) => Promise<HttpResponse>;

/** The search and events API, independent of where it runs. */
export function createApiHandler(service: SearchService, options: ApiHandlerOptions): (request: HttpRequest) => Promise<HttpResponse> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? (() => new Date());

  const jsonBody = (request: HttpRequest): Record<string, unknown> => {
    const body = request.body ?? '';
    if (Buffer.byteLength(body) > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new ValidationError('the request body must be a JSON object', { field: 'body' });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ValidationError('the request body must be a JSON object', { field: 'body' });
    }
    return parsed as Record<string, unknown>;
  };

  const routes: Record<string, Partial<Record<string, Route>>> = {
    '/search': {
      GET: async (request) => json(200, await service.search(parseSearchRequest(request.query, options.defaultWeight))),
      POST: async (request) => json(200, await service.search(parseSearchRequest(jsonBody(request), options.defaultWeight))),
    },
    '/events': {
      POST: async (request) => {
        await service.recordEvent(parseEventRequest(jsonBody(request), now()));
        return json(202, { accepted: true });
      },
    },
    '/health': { GET: async () => json(200, await service.health()) },
  };

  return async (request) => {
    const methods = routes[request.path];
    if (!methods) return errorResponse(404, `no route for ${request.path}`);
    const route = methods[request.method.toUpperCase()];
    if (!route) return errorResponse(405, `${request.method} is not allowed on ${request.path}; use ${Object.keys(methods).join(' or ')}`);
    try {
      return await route(request);
    } catch (error) {
      return toErrorResponse(error, options.logError);
    }
  };
}

class BodyTooLargeError extends ValidationError {
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`, { field: 'body' });
  }
}

function toErrorResponse(error: unknown, logError?: (error: unknown) => void): HttpResponse {
  if (error instanceof BodyTooLargeError) return errorResponse(413, error.message);
  if (error instanceof ValidationError) return errorResponse(400, error.message);
  if (error instanceof NoIndexError) return errorResponse(503, error.message);
  if (error instanceof NotFoundError) return errorResponse(404, error.message);
  logError?.(error);
  return errorResponse(500, 'internal error; the details are in the server log');
}
