/**
 * `unused` over HTTP without serverless-offline: a node:http server handing
 * each request to the real Lambda handler as API Gateway (payload v2) would.
 * It measures plm's own cost behind a socket; bench/parts/npm-start.ts
 * measures the same through `npm start`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TaskIo } from '../lib/child-io';
import { peakRssMb } from '../lib/child-io';
import { installBenchService } from './service';

const UNUSED = /^\/api\/library\/([^/]+)\/unused$/;

export const httpServer = async (_input: unknown, io: TaskIo): Promise<{ peakRssMb: number }> => {
  const { handler } = await import('../../functions/unused');
  const { apiEvent, lambdaContext } = await import('../../dev/lambda');
  const { createUserAndLogin } = await import('../../dev/users');
  const { closeDb } = await import('../../lib/db/client');
  installBenchService();
  const { token } = await createUserAndLogin();
  type Result = { statusCode: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
  const invoke = handler as unknown as (e: unknown, c: unknown) => Promise<Result>;
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const m = UNUSED.exec(url.pathname);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const event = apiEvent({
      path: url.pathname,
      routeKey: 'GET /api/library/{id}/unused',
      pathParameters: { id: m[1]! },
      query: Object.fromEntries(url.searchParams),
      headers,
    });
    inFlight++;
    invoke(event, lambdaContext())
      .then(
        (r) => {
          const body = r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : undefined;
          res.writeHead(r.statusCode, r.headers ?? {}).end(body);
        },
        () => res.writeHead(500).end(),
      )
      .finally(() => inFlight--);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await io.mark('listening', { port: (server.address() as AddressInfo).port, token });
  await io.stopped;
  server.close();
  server.closeAllConnections();
  // Requests cut off by the load generator finish before the database goes away.
  while (inFlight > 0) await new Promise((r) => setTimeout(r, 10));
  await closeDb();
  return { peakRssMb: peakRssMb() };
};
