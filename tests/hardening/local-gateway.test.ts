import http, { type Server } from 'node:http';
import { connect } from 'node:net';
import { startGateway, type Gateway } from '../../scripts/local-gateway';
import { Checks } from './tally';

/**
 * `npm start`'s gateway (scripts/local-gateway.ts) in front of a stand-in for
 * serverless-offline that misbehaves as it does: it reflects any Origin,
 * answers hapi's own errors outside plm's envelope, and takes any number of
 * requests at once.
 */
const ALLOWED = 'http://localhost:3000';
let upstream: Server;
let gateway: Gateway;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = (status: number, body: string) => {
      inFlight--;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        ...(req.headers.origin ? { 'access-control-allow-origin': req.headers.origin } : {}),
      });
      res.end(body);
    };
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/boom'))
        return done(400, '{"statusCode":400,"error":"Bad Request","message":"Invalid cookie value"}');
      if (req.url?.startsWith('/slow')) return setTimeout(() => done(200, '{"ok":true}'), 100);
      done(200, '{"ok":true}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    upstreamPort: (upstream.address() as { port: number }).port,
    allowedOrigins: [ALLOWED],
    maxInFlight: 4,
    maxQueued: 20,
    maxBodyBytes: 1024,
  });
});
afterAll(async () => {
  await gateway.close();
  await new Promise((r) => upstream.close(r));
});

const base = () => `http://127.0.0.1:${gateway.port}`;
const envelope = async (res: Response) => {
  const body = (await res.json()) as { error?: { code?: string } };
  return typeof body.error?.code === 'string' && res.headers.get('x-content-type-options') === 'nosniff';
};

it('keeps CORS to the allow-list, answers in the envelope, bounds what is forwarded', async () => {
  const checks = new Checks('attack', "npm start's gateway: origins, malformed requests, floods");
  const evil = await fetch(`${base()}/ok`, { headers: { origin: 'http://evil.example' } });
  checks.check('a foreign Origin is not reflected', evil.headers.get('access-control-allow-origin') === null);
  const good = await fetch(`${base()}/ok`, { headers: { origin: ALLOWED } });
  checks.check('a listed Origin is', good.headers.get('access-control-allow-origin') === ALLOWED);
  checks.check("serverless-offline's own errors come in the envelope", await envelope(await fetch(`${base()}/boom`)));
  const badEscape = await fetch(`${base()}/api/%zz`);
  checks.check('a bad %-escape is a 400 envelope', badEscape.status === 400 && (await envelope(badEscape)));
  const big = await fetch(`${base()}/ok`, { method: 'POST', body: 'x'.repeat(5000) });
  checks.check('a body over the limit is a 413 envelope', big.status === 413 && (await envelope(big)));
  const raw = await new Promise<string>((resolve) => {
    const socket = connect((gateway as { port: number }).port, '127.0.0.1', () =>
      socket.write(`GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('close', () => resolve(text));
    socket.on('error', () => resolve(text));
  });
  checks.check(
    'a header over 16 KB is a 431 envelope',
    raw.startsWith('HTTP/1.1 431') && raw.includes('HEADERS_TOO_LARGE'),
    raw.slice(0, 60),
  );
  maxInFlight = 0;
  const flood = await Promise.all(Array.from({ length: 60 }, () => fetch(`${base()}/slow`).then((r) => r.status)));
  checks.check('never more than 4 forwarded at once', maxInFlight <= 4, String(maxInFlight));
  checks.check(
    'beyond the line: 503 with Retry-After, the rest 200',
    flood.every((s) => s === 200 || s === 503) && flood.includes(503),
  );
  checks.done();
});
