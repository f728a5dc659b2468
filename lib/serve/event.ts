import type { IncomingHttpHeaders } from 'node:http';
import { totalmem } from 'node:os';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { RouteKey } from '../api/declaration';

/**
 * What API Gateway (HTTP API, payload 2.0) would hand the Lambda for a request,
 * built from a plain Node request, so the self-hosted server runs the very same
 * handlers: header names lower-cased and repeated ones joined with commas,
 * cookies moved to `cookies`, query values decoded (repeated ones joined), text
 * bodies as text and anything else base64.
 */

export interface PlainRequest {
  method: string;
  /** The request target: path and query, as sent. */
  url: string;
  httpVersion: string;
  headers: IncomingHttpHeaders;
  remoteAddress?: string;
  body: Buffer;
}

const TEXT_BODY = /^(text\/|application\/([\w.+-]+\+)?(json|xml)|application\/x-www-form-urlencoded)/i;

const headersOf = (raw: IncomingHttpHeaders): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
};

const queryOf = (search: URLSearchParams): Record<string, string> | undefined => {
  const query: Record<string, string> = {};
  for (const [name, value] of search) query[name] = name in query ? `${query[name]},${value}` : value;
  return Object.keys(query).length ? query : undefined;
};

/** IPv4 clients of a dual-stack socket show as ::ffff:a.b.c.d; API Gateway says a.b.c.d. */
const clientIp = (address: string | undefined): string => (address ?? '').replace(/^::ffff:(?=\d+\.)/, '');

export const toApiEvent = (
  req: PlainRequest,
  route: { key: RouteKey; pathParameters?: Record<string, string> },
  requestId: string,
): APIGatewayProxyEventV2 => {
  const url = new URL(req.url, 'http://self-hosted');
  const headers = headersOf(req.headers);
  const text = !req.body.length || TEXT_BODY.test(headers['content-type'] ?? '');
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim());
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.key,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    queryStringParameters: queryOf(url.searchParams),
    pathParameters: route.pathParameters,
    body: req.body.length ? req.body.toString(text ? 'utf8' : 'base64') : undefined,
    isBase64Encoded: !text,
    requestContext: {
      accountId: 'self-hosted',
      apiId: 'plm',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: req.method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: clientIp(req.remoteAddress),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.key,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
};

/** A Lambda context for one invocation: the deadline is what Middy's early timeout counts down from. */
export const invocationContext = (functionName: string, requestId: string, timeoutMs: number): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `self-hosted:${functionName}`,
    memoryLimitInMB: String(Math.round(totalmem() / 1048576)),
    awsRequestId: requestId,
    logGroupName: 'self-hosted',
    logStreamName: String(process.pid),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
