import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RouteKey } from '../api/declaration';
import type { ApiEvent, ApiResult, PlmContext } from '../http/types';
import { logger } from '../logger';
import { invocationContext, toApiEvent } from './event';
import { answerPreflight } from './preflight';
import { compileRoutes, matchRoute, type RouteMatch } from './router';

/**
 * The self-hosted API (`npm run serve`): one Node HTTP server that turns each
 * request into the API Gateway event the Lambda handlers expect and runs the
 * same handlers, in-process and concurrently. No emulator: routing, CORS
 * preflights and the request deadline are the few things API Gateway does that
 * are done here instead.
 */

/** A handler of functions/ (Middy's type asks for the request state its first middleware adds to the context). */
export type LambdaHttpHandler = (event: ApiEvent, context: PlmContext) => Promise<ApiResult | undefined>;

export interface ApiServerOptions {
  /** The route table (lib/api/routes.ts). */
  routes: Record<string, { route: RouteKey }>;
  /** The handler of each route, by the same name. */
  handlers: Record<string, LambdaHttpHandler>;
  /** The name of the `$default` route's handler. */
  fallback: string;
  /** API Gateway gives up after 30 s; handlers answer 504 a second before their deadline. */
  timeoutMs?: number;
  /** Bodies are read up to this; past it the handler sees enough of it to answer 413. */
  maxBodyBytes?: number;
}

export interface ApiServer {
  server: Server;
  /** Listens; resolves with the base URL (port 0 picks a free one). */
  listen(port: number, host: string): Promise<string>;
  /** Stops accepting, lets answers in progress finish (at most `graceMs`), then closes every connection. */
  close(graceMs: number): Promise<void>;
}

/** The body, up to `cap` + 1 bytes; the rest of an oversized upload is left unread (the connection closes). */
const readBody = (req: IncomingMessage, cap: number): Promise<{ body: Buffer; oversized: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (oversized: boolean) => {
      if (done) return;
      done = true;
      resolve({ body: Buffer.concat(chunks).subarray(0, cap + 1), oversized });
    };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > cap) {
        req.pause();
        finish(true);
      }
    });
    req.on('end', () => finish(false));
    req.on('error', reject);
  });

const send = (res: ServerResponse, result: ApiResult, close: boolean): void => {
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  if (res.statusCode !== 204 && res.statusCode !== 304) res.setHeader('Content-Length', body.length);
  // An oversized upload is not read to its end: the connection cannot carry another request.
  if (close) res.setHeader('Connection', 'close');
  res.end(res.statusCode === 204 || res.statusCode === 304 ? undefined : body);
};

const INTERNAL_ERROR: ApiResult = {
  statusCode: 500,
  headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
  body: JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } }),
};

export const createApiServer = (options: ApiServerOptions): ApiServer => {
  const routes = compileRoutes(options.routes);
  const timeoutMs = options.timeoutMs ?? 29_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return answerPreflight(req.headers.origin, res);
    const remoteAddress = req.socket.remoteAddress;
    const { body, oversized } = await readBody(req, maxBodyBytes);
    const path = new URL(req.url ?? '/', 'http://self-hosted').pathname;
    const route: RouteMatch = matchRoute(routes, method, path) ?? { name: options.fallback, key: '$default' };
    const handler = options.handlers[route.name];
    if (!handler) throw new Error(`no handler for ${route.name}`);
    const requestId = randomUUID();
    const event = toApiEvent(
      { method, url: req.url ?? '/', httpVersion: req.httpVersion, headers: req.headers, remoteAddress, body },
      route,
      requestId,
    );
    const context = invocationContext(`plm-${route.name}`, requestId, timeoutMs) as PlmContext;
    const result = await handler(event, context);
    send(res, result ?? INTERNAL_ERROR, oversized);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Handlers answer their own errors; this is a failure of the server itself.
      logger.error('self-hosted server failed to answer', { error });
      if (!res.headersSent) send(res, INTERNAL_ERROR, true);
      else res.destroy();
    });
  });

  const listen = (port: number, host: string): Promise<string> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const address = server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}`);
      });
    });

  const close = (graceMs: number): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });

  return { server, listen, close };
};
