import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { HttpRequest } from '../../serving/http-types';
import { json } from '../../serving/http-types';
import { lambdaHandler, toHttpRequest, toProxyResult } from '../../serving/lambda-adapter';

function event(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path: '/search',
    resource: '/search',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}

describe('lambda adapter', () => {
  it('turns a GET proxy event into a request with the query and lower-case headers', () => {
    const request = toHttpRequest(event({ httpMethod: 'get', queryStringParameters: { q: 'red fox', k: '5' }, headers: { 'Content-Type': 'text/plain', 'X-Api-Key': 'abc' } }));
    expect(request).toEqual({ method: 'GET', path: '/search', query: { q: 'red fox', k: '5' }, headers: { 'content-type': 'text/plain', 'x-api-key': 'abc' } });
  });

  it('decodes a base64-encoded body and passes a plain one through', () => {
    const body = JSON.stringify({ q: 'héron' });
    expect(toHttpRequest(event({ httpMethod: 'POST', body: Buffer.from(body).toString('base64'), isBase64Encoded: true })).body).toBe(body);
    expect(toHttpRequest(event({ httpMethod: 'POST', body })).body).toBe(body);
  });

  it('leaves an empty body out, as the local server does', () => {
    expect('body' in toHttpRequest(event({ httpMethod: 'POST', body: '' }))).toBe(false);
  });

  it('returns the handler response as a proxy result', () => {
    expect(toProxyResult(json(202, { accepted: true }))).toEqual({
      statusCode: 202,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
      body: '{"accepted":true}',
      isBase64Encoded: false,
    });
  });

  it('runs the API handler on the translated request', async () => {
    const seen: HttpRequest[] = [];
    const handler = lambdaHandler(async (request) => {
      seen.push(request);
      return json(200, { path: request.path });
    });
    const result = await handler(event({ path: '/health' }));
    expect(JSON.parse(result.body)).toEqual({ path: '/health' });
    expect(seen[0]?.method).toBe('GET');
  });
});
