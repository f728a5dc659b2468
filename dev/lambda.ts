/**
 * Invoking the real Lambda handlers in-process, as API Gateway (HTTP API,
 * payload v2) would: used by the tests and the benchmarks.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { invocationContext } from '../lib/serve/event';

export interface EventInput {
  method?: string;
  path?: string;
  /** route key such as "GET /api/library/{id}/unused" */
  routeKey?: string;
  body?: unknown;
  /** a raw body string, sent as is */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  token?: string;
  ip?: string;
}

/** An API Gateway HTTP API (payload v2) event, as Lambda receives it. */
export const apiEvent = (input: EventInput = {}): APIGatewayProxyEventV2 => {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/';
  const headers: Record<string, string> = { 'user-agent': 'jest', ...(input.headers ?? {}) };
  let body: string | undefined = input.rawBody;
  if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    headers['content-type'] ??= 'application/json';
  }
  if (input.token) headers.authorization = `Bearer ${input.token}`;
  const query = input.query;
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${method} ${path}`,
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    queryStringParameters: query,
    pathParameters: input.pathParameters,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: input.ip ?? '127.0.0.1', userAgent: 'jest' },
      requestId: randomUUID(),
      routeKey: input.routeKey ?? `${method} ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
};

/** The self-hosted server's invocation context, named as a test function in AWS. */
export const lambdaContext = (timeoutMs = 29_000): Context => ({
  ...invocationContext('plm-test', randomUUID(), timeoutMs),
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:plm-test',
  memoryLimitInMB: '1024',
  logGroupName: '/aws/lambda/plm-test',
  logStreamName: 'test',
});

export interface InvokeResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: <T = unknown>() => T;
}

type AnyHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Invokes a real handler (the whole Middy stack) with an event. */
export const invoke = async (handler: unknown, input: EventInput = {}, timeoutMs?: number): Promise<InvokeResult> => {
  const result = (await (handler as AnyHandler)(apiEvent(input), lambdaContext(timeoutMs))) as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    body?: string;
  };
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  const body = result.body ?? '';
  return { statusCode: result.statusCode, headers, body, json: <T>() => JSON.parse(body) as T };
};
