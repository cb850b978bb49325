/** A runtime-neutral HTTP exchange: the Lambda adapter and the local server both translate to and from these. */
export interface HttpRequest {
  readonly method: string;
  /** Decoded path without the query string, e.g. `/search`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function json(statusCode: number, value: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}

export function errorResponse(statusCode: number, message: string): HttpResponse {
  return json(statusCode, { error: message });
}
