import { createServer, type Server } from 'node:http';
import { UpstreamHttp } from '../../../lib/upstream/http';
import { caught } from '../../helpers/async';
import { quietLogs } from '../../helpers/logs';

quietLogs();

/** A server a user could point plm at: it redirects to an internal address, or sends far too much. */
let server: Server;
let base = '';
let internalHits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/internal')) {
      internalHits++;
      res.end('{"secret":"metadata"}');
    } else if (req.url?.startsWith('/redirect')) {
      res.writeHead(302, { Location: `${base}/internal` });
      res.end();
    } else if (req.url?.startsWith('/huge')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // no Content-Length: streamed
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200) {
          sent++;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    } else res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (maxBodyBytes?: number) =>
  new UpstreamHttp({ service: 'plex', baseUrl: base, timeoutMs: 15_000, retries: 0, concurrency: 1, maxBodyBytes });

describe('upstream hardening', () => {
  it('never follows a redirect (a user-supplied server cannot bounce plm to an internal address)', async () => {
    const err = await caught(() => client().get({ path: '/redirect' }));
    expect(err).toMatchObject({ code: 'PLEX_BAD_RESPONSE', statusCode: 502 });
    expect(internalHits).toBe(0);
  });

  it('refuses a body over the cap instead of buffering it', async () => {
    const err = await caught(() => client(1024 * 1024).get({ path: '/huge' }));
    expect(err).toMatchObject({ code: 'PLEX_BAD_RESPONSE' });
    expect((err as Error).message).toMatch(/more than 1 MB/);
    const ok = await client(32 * 1024 * 1024).get({ path: '/huge' });
    expect(ok.bytes).toBe(200 * 64 * 1024);
  });
});
