/**
 * The shared machinery of both fakes: a node:http server on 127.0.0.1, a
 * request log without secrets, in-flight tracking and runtime fault injection.
 * No jest imports: the local demo and the benchmarks use it too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultKind =
  /** Destroy the connection without an answer (ECONNRESET for the client). */
  | 'down'
  /** Wait delayMs, then answer normally. */
  | 'slow'
  /** Never answer (until close()). */
  | 'hang'
  /** Answer `status` with the service's error body (or `body`); `retryAfter` adds Retry-After. */
  | 'status'
  /** 200 with a body that is not valid JSON. */
  | 'malformed'
  /** Announce a Content-Length, send half of the real body, then cut the connection. */
  | 'truncated'
  /** 200 with `{}` (Plex: no MediaContainer). */
  | 'empty'
  /** Answer as if the secret were wrong (token revoked / key regenerated): Plex 401 HTML, Tautulli 400 "Invalid apikey". */
  | 'unauthorized';

export interface Fault {
  kind: FaultKind;
  status?: number;
  delayMs?: number;
  /** How many matching requests this fault hits; default: all. */
  times?: number;
  /** Only requests whose path starts with this. */
  path?: string;
  /** Tautulli: only this cmd. */
  cmd?: string;
  /** Any other condition, e.g. one page: `(r) => r.query['X-Plex-Container-Start'] === '14'`. */
  match?: (req: RecordedRequest) => boolean;
  retryAfter?: string | number;
  body?: string;
  contentType?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters with the secret one removed. */
  query: Record<string, string>;
  /** Request headers with the secret one removed (lower-case names). */
  headers: Record<string, string>;
  /** Where the secret came in, if anywhere (never its value). */
  secretIn: { header: boolean; query: boolean };
  /** The secret sent matched the fake's one (or one of its `altSecrets`). */
  authorized: boolean;
  /** Label of the alt secret that authenticated (e.g. a shared user's account id); undefined for the main secret. */
  principal?: string;
}

export interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface FakeServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  setFault(fault: Fault): void;
  clearFaults(): void;
  /** Highest number of requests handled at the same time since start/resetStats(). */
  readonly maxInFlight: number;
  resetStats(): void;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Header and query names of the secret (X-Plex-Token / apikey); both are kept out of the request log. */
  secretHeader: string;
  secretQuery: string;
  /** Whether the header authenticates (Plex) or is ignored (Tautulli reads only `apikey`). */
  headerAuthenticates: boolean;
  secret: string;
  /** Further accepted secrets → a label recorded as `principal` (never the secret itself). */
  altSecrets?: Record<string, string>;
  port?: number;
  /** Added to every answer, to make concurrency observable. */
  latencyMs?: number;
  /** Body for 'status' faults. */
  errorBody: (status: number) => FakeResponse;
  handle: (req: RecordedRequest, url: URL) => FakeResponse;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

export const startFakeServer = async (opts: FakeServerOptions): Promise<FakeServer> => {
  const faults: Array<Fault & { left: number }> = [];
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const takeFault = (rec: RecordedRequest): Fault | undefined => {
    const i = faults.findIndex(
      (f) =>
        f.left > 0 &&
        (!f.path || rec.path.startsWith(f.path)) &&
        (!f.cmd || rec.query.cmd === f.cmd) &&
        (!f.match || f.match(rec)),
    );
    const f = faults[i];
    if (!f) return undefined;
    f.left--;
    return f;
  };

  const send = (res: http.ServerResponse, r: FakeResponse) => {
    const body = Buffer.from(r.body);
    res.writeHead(r.status, { 'Content-Length': String(body.length), ...r.headers });
    res.end(body);
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    const secretHeader = opts.secretHeader.toLowerCase();
    let headerSecret: string | undefined;
    for (const [k, v] of Object.entries(req.headers)) {
      const value = Array.isArray(v) ? v.join(', ') : (v ?? '');
      if (k === secretHeader) headerSecret = value;
      else headers[k] = value;
    }
    const querySecret = url.searchParams.get(opts.secretQuery) ?? undefined;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) if (k !== opts.secretQuery) query[k] = v;
    const sent = querySecret ?? (opts.headerAuthenticates ? headerSecret : undefined);
    const alt =
      sent !== undefined && sent !== opts.secret && opts.altSecrets && Object.hasOwn(opts.altSecrets, sent)
        ? opts.altSecrets[sent]
        : undefined;
    const rec: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers,
      secretIn: { header: headerSecret !== undefined, query: querySecret !== undefined },
      authorized:
        querySecret === opts.secret || (opts.headerAuthenticates && headerSecret === opts.secret) || alt !== undefined,
    };
    if (alt !== undefined) rec.principal = alt;
    requests.push(rec);

    void (async () => {
      if (opts.latencyMs) await sleep(opts.latencyMs);
      const fault = takeFault(rec);
      switch (fault?.kind) {
        case 'down':
          req.socket.destroy();
          return;
        case 'hang':
          return; // close() cuts it
        case 'slow':
          await sleep(fault.delayMs ?? 1000);
          break;
        case 'status': {
          const r =
            fault.body !== undefined
              ? { status: fault.status ?? 500, body: fault.body }
              : opts.errorBody(fault.status ?? 500);
          const extra: Record<string, string> =
            fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {};
          if (fault.contentType) extra['Content-Type'] = fault.contentType;
          send(res, { ...r, headers: { ...r.headers, ...extra } });
          return;
        }
        case 'malformed':
          send(res, {
            status: 200,
            headers: { 'Content-Type': 'application/json' },
            body: fault.body ?? '{"MediaContainer":{"size":1,"Metadata":[{"ratingKey":',
          });
          return;
        case 'empty':
          send(res, { status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' });
          return;
        case 'unauthorized':
          send(res, opts.handle({ ...rec, authorized: false }, url));
          return;
        case 'truncated': {
          const full = Buffer.from(opts.handle(rec, url).body);
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(full.length) });
          res.write(full.subarray(0, Math.floor(full.length / 2)));
          setTimeout(() => req.socket.destroy(), 5).unref();
          return;
        }
        default:
          break;
      }
      if (res.destroyed) return;
      send(res, opts.handle(rec, url));
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, { status: 500, body: String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    setFault: (fault) => faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => void faults.splice(0),
    get maxInFlight() {
      return maxInFlight;
    },
    resetStats: () => {
      requests.splice(0);
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
