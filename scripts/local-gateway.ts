/**
 * The front door of `npm start`: a small reverse proxy on $PORT in front of
 * serverless-offline (which listens on an internal port). serverless-offline
 * is a development emulator; on its own it
 * - reflects any Origin in Access-Control-Allow-Origin on every answer
 *   (its httpApi CORS code checks the allow-list on preflights only),
 * - answers what its HTTP layer refuses (a URL with a bad %-escape, an
 *   unreadable cookie, an oversized header or body) outside plm's error
 *   envelope and without plm's security headers,
 * - and has no bound on the requests it works on at once.
 * The gateway fixes those three in front of it, so what a client meets
 * locally is what plm answers in production. API Gateway does all of this in AWS.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CODE_BY_STATUS } from '../lib/http/middleware/error-normalizer';
import { SECURITY_HEADERS } from '../lib/http/middleware/security-headers';

export interface GatewayOptions {
  host: string;
  port: number;
  /** serverless-offline's HTTP port */
  upstreamPort: number;
  allowedOrigins: readonly string[];
  /** requests forwarded at once; the others wait in line */
  maxInFlight: number;
  /** requests waiting; beyond, 503 with Retry-After */
  maxQueued: number;
  /** larger bodies are refused with 413 before they reach a handler (API Gateway's limit is 10 MB) */
  maxBodyBytes: number;
}

export interface Gateway {
  port: number;
  close(): Promise<void>;
}

const EXTRA_CODES: Record<number, string> = {
  431: 'HEADERS_TOO_LARGE',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'TIMEOUT',
};
const codeOf = (status: number): string =>
  CODE_BY_STATUS[status] ?? EXTRA_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');

const envelope = (status: number, message: string): string =>
  JSON.stringify({ error: { code: codeOf(status), message } });

const isEnvelope = (body: string): boolean => {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string';
  } catch {
    return false;
  }
};

/** plm's security headers, named as Node names incoming headers (lower case), so they merge without duplicates. */
const SECURITY = Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k.toLowerCase(), v]));

/** Hop-by-hop headers are the proxy's own (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te']);

const answer = (res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { ...SECURITY, 'content-type': 'application/json; charset=utf-8', ...extra });
  res.end(envelope(status, message));
};

/** A bound on the requests being forwarded, with a line of bounded length behind it. */
const gate = (maxInFlight: number, maxQueued: number) => {
  let running = 0;
  const waiting: Array<() => void> = [];
  return {
    enter: (): Promise<boolean> => {
      if (running < maxInFlight) {
        running++;
        return Promise.resolve(true);
      }
      if (waiting.length >= maxQueued) return Promise.resolve(false);
      return new Promise((resolve) => waiting.push(() => resolve(true)));
    },
    leave: (): void => {
      const next = waiting.shift();
      if (next) next();
      else running--;
    },
  };
};

export const startGateway = async (opts: GatewayOptions): Promise<Gateway> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.maxInFlight });
  const line = gate(opts.maxInFlight, opts.maxQueued);

  const server = http.createServer(async (req, res) => {
    if (!(await line.enter())) return answer(res, 503, 'The local server is busy; try again', { 'Retry-After': '1' });
    res.on('close', line.leave);
    const refusal = refuse(req, opts);
    if (refusal) {
      req.resume();
      return answer(res, refusal.status, refusal.message);
    }
    forward(req, res, opts, agent);
  });
  // Requests Node's HTTP parser refuses (a header over 16 KB, a malformed request line) get the envelope too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = envelope(status, status === 431 ? 'The request headers are too large' : 'The request is malformed');
    if (socket.writable)
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
};

/** What the gateway answers itself, before anything is forwarded. */
const refuse = (req: IncomingMessage, opts: GatewayOptions): { status: number; message: string } | undefined => {
  try {
    decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  } catch {
    return { status: 400, message: 'The URL is not valid (a malformed %-escape)' };
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > opts.maxBodyBytes)
    return { status: 413, message: `The body is larger than ${opts.maxBodyBytes} bytes` };
  return undefined;
};

/** CORS headers are kept only for an allowed Origin (API Gateway's behaviour). */
const responseHeaders = (upstream: IncomingMessage, origin: string | undefined, opts: GatewayOptions) => {
  const allowed = origin !== undefined && opts.allowedOrigins.includes(origin);
  const headers: Record<string, string | string[]> = { ...SECURITY };
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (name.startsWith('access-control-') && !allowed) continue;
    headers[name] = value;
  }
  return headers;
};

/**
 * Reads the body (bounded: plm's own limit is 16 KB, this is 1 MB), then
 * forwards the request with a plain Content-Length: no chunked body reaches
 * serverless-offline, whose handling of large or chunked bodies differs from API Gateway's.
 */
const forward = (req: IncomingMessage, res: ServerResponse, opts: GatewayOptions, agent: http.Agent): void => {
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.byteLength;
    if (bytes <= opts.maxBodyBytes) chunks.push(chunk);
    else if (!res.headersSent)
      answer(res, 413, `The body is larger than ${opts.maxBodyBytes} bytes`, { connection: 'close' });
  });
  req.on('end', () => {
    if (bytes > opts.maxBodyBytes) return;
    const body = Buffer.concat(chunks);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers))
      if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'expect') headers[name] = value;
    if (body.byteLength || req.method === 'POST' || req.method === 'PUT')
      headers['content-length'] = String(body.byteLength);
    const upstreamReq = http.request(
      { host: '127.0.0.1', port: opts.upstreamPort, method: req.method, path: req.url, headers, agent },
      (upstream) => relay(upstream, res, req.headers.origin, opts),
    );
    upstreamReq.on('error', () => answer(res, 503, 'The local API is not available'));
    upstreamReq.end(body);
  });
};

/** Success bodies stream through; error bodies are read (they are small) and put in the envelope if they are not. */
const relay = (upstream: IncomingMessage, res: ServerResponse, origin: string | undefined, opts: GatewayOptions) => {
  const status = upstream.statusCode ?? 502;
  const headers = responseHeaders(upstream, origin, opts);
  if (status < 400) {
    res.writeHead(status, headers);
    upstream.pipe(res);
    return;
  }
  const chunks: Buffer[] = [];
  upstream.on('data', (c: Buffer) => chunks.push(c));
  upstream.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (isEnvelope(body)) {
      res.writeHead(status, headers);
      res.end(body);
      return;
    }
    const { 'content-length': _length, 'content-type': _type, ...rest } = headers;
    res.writeHead(status, { ...rest, 'content-type': 'application/json; charset=utf-8' });
    res.end(envelope(status, http.STATUS_CODES[status] ?? 'The request failed'));
  });
  upstream.on('error', () => res.destroy());
};
