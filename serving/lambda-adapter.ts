/**
 * API Gateway REST proxy events <-> the runtime-neutral HttpRequest / HttpResponse that serving/api-handler.ts speaks.
 * Event shape: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from './http-types';

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const headers: Record<string, string> = {};
  // Header names are case-insensitive; the handler, like Node's http module, sees them in lower case.
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined) query[name] = value;
  const body = event.body === null || event.body === undefined ? undefined : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    query,
    headers,
    ...(body !== undefined && body.length > 0 && { body }),
  };
}

export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  return { statusCode: response.statusCode, headers: { ...response.headers }, body: response.body, isBase64Encoded: false };
}

/** Wraps the API handler as a Lambda proxy handler. */
export function lambdaHandler(handle: (request: HttpRequest) => Promise<HttpResponse>): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => toProxyResult(await handle(toHttpRequest(event)));
}
