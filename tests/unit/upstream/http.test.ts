import { startFakeServer, type FakeServer } from '../../../dev/fakes/fake-server';
import { UpstreamError } from '../../../lib/upstream/errors';
import { UpstreamHttp, type UpstreamHttpOptions } from '../../../lib/upstream/http';
import { caught } from '../../helpers/async';
import { captureOutput, quietLogs } from '../../helpers/logs';

quietLogs();

const SECRET = 'sekret-token-0123456789';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer({
    secretHeader: 'X-Secret',
    secretQuery: 'key',
    headerAuthenticates: true,
    secret: SECRET,
    latencyMs: 10,
    errorBody: (status) => ({ status, body: `error ${status}` }),
    handle: (req) => ({
      status: req.authorized ? 200 : 401,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ok: req.authorized }),
    }),
  });
});
afterAll(() => server.close());
beforeEach(() => {
  server.clearFaults();
  server.resetStats();
});

const client = (over: Partial<UpstreamHttpOptions> = {}) =>
  new UpstreamHttp({
    service: 'plex',
    baseUrl: server.url,
    secretQuery: { key: SECRET },
    timeoutMs: 2000,
    retries: 2,
    concurrency: 4,
    retryBaseDelayMs: 5,
    ...over,
  });

describe('UpstreamHttp', () => {
  it('sends the secret query parameter and returns the body', async () => {
    const res = await client().get({ path: '/x', query: { a: 1, skip: undefined } });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
    expect(res.bytes).toBe(res.text.length);
    expect(server.requests[0]?.query).toEqual({ a: '1' });
    expect(server.requests[0]?.secretIn).toEqual({ header: false, query: true });
  });

  it('retries 5xx and succeeds when the upstream recovers', async () => {
    server.setFault({ kind: 'status', status: 503, times: 2 });
    const res = await client().get({ path: '/x' });
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(3);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after the configured retries with *_UNAVAILABLE', async () => {
    server.setFault({ kind: 'status', status: 500 });
    const err = await caught(() => client({ retries: 3 }).get({ path: '/x' }));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({
      statusCode: 502,
      code: 'PLEX_UNAVAILABLE',
      expose: true,
      info: { upstreamStatus: 500, attempts: 4 },
    });
    expect(server.requests).toHaveLength(4);
  });

  it('does not retry other 4xx: the service client interprets them', async () => {
    server.setFault({ kind: 'status', status: 400 });
    const res = await client().get({ path: '/x' });
    expect(res.status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    server.setFault({ kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const t0 = Date.now();
    const res = await client({ retryBaseDelayMs: 1 }).get({ path: '/x' });
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(server.requests).toHaveLength(2);
  });

  it('caps a huge Retry-After and reports it when giving up', async () => {
    server.setFault({ kind: 'status', status: 429, retryAfter: 3600 });
    const t0 = Date.now();
    const err = await caught(() => client({ retries: 1, maxRetryAfterMs: 50 }).get({ path: '/x' }));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err).toMatchObject({
      code: 'PLEX_UNAVAILABLE',
      headers: { 'Retry-After': '3600' },
      info: { upstreamStatus: 429 },
    });
  });

  it('times out a hanging upstream with *_TIMEOUT (504) and does not retry it', async () => {
    server.setFault({ kind: 'hang' });
    const t0 = Date.now();
    const err = await caught(() => client({ timeoutMs: 200 }).get({ path: '/x' }));
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(err).toMatchObject({ statusCode: 504, code: 'PLEX_TIMEOUT' });
    expect(server.requests).toHaveLength(1);
  });

  it('applies the timeout to slow bodies too', async () => {
    server.setFault({ kind: 'slow', delayMs: 800 });
    await expect(client({ timeoutMs: 150 }).get({ path: '/x' })).rejects.toMatchObject({ code: 'PLEX_TIMEOUT' });
  });

  it('retries a reset connection, then reports *_UNAVAILABLE with the reason', async () => {
    server.setFault({ kind: 'down' });
    const err = await caught(() => client({ retries: 1 }).get({ path: '/x' }));
    expect(err).toMatchObject({ code: 'PLEX_UNAVAILABLE', info: { attempts: 2 } });
    expect(server.requests).toHaveLength(2);
  });

  it('retries a truncated body (connection cut mid-response)', async () => {
    server.setFault({ kind: 'truncated', times: 1 });
    const res = await client().get({ path: '/x' });
    expect(res.status).toBe(200);
    expect(server.requests).toHaveLength(2);
  });

  it('maps a refused connection to *_UNAVAILABLE', async () => {
    const dead = await startFakeServer({
      secretHeader: 'x',
      secretQuery: 'k',
      headerAuthenticates: true,
      secret: 's',
      errorBody: () => ({ status: 500, body: '' }),
      handle: () => ({ status: 200, body: '' }),
    });
    const url = dead.url;
    await dead.close();
    const err = await caught(() => client({ baseUrl: url, retries: 1 }).get({ path: '/x' }));
    expect(err).toMatchObject({ statusCode: 502, code: 'PLEX_UNAVAILABLE', info: { reason: 'ECONNREFUSED' } });
  });

  it("stops at once when the caller's signal aborts (no retry)", async () => {
    server.setFault({ kind: 'hang' });
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    const err = await caught(() => client({ timeoutMs: 5000 }).get({ path: '/x', signal: c.signal }));
    expect((err as Error).name).toBe('AbortError');
    expect(server.requests).toHaveLength(1);
  });

  it('bounds requests in flight to the concurrency', async () => {
    const c = client({ concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => c.get({ path: `/p${i}` })));
    expect(server.requests).toHaveLength(12);
    expect(server.maxInFlight).toBeLessThanOrEqual(3);
    expect(server.maxInFlight).toBeGreaterThan(1);
  });

  it('maps invalid JSON and schema mismatches to *_BAD_RESPONSE', async () => {
    const z = await import('zod');
    const c = client();
    server.setFault({ kind: 'malformed', times: 1 });
    const bad = await c.get({ path: '/x' });
    expect(() => c.parse(bad, z.object({ ok: z.boolean() }))).toThrow(
      expect.objectContaining({ code: 'PLEX_BAD_RESPONSE', statusCode: 502 }),
    );
    const good = await c.get({ path: '/x' });
    expect(() => c.parse(good, z.object({ ok: z.string() }))).toThrow(/ok: /);
  });

  it('logs one line per attempt, with path and no secret', async () => {
    server.setFault({ kind: 'status', status: 500, times: 1 });
    const { output } = await captureOutput(() => client().get({ path: '/logged', query: { a: 'b' } }));
    const lines = output.split('\n').filter((l) => l.includes('upstream call'));
    expect(lines).toHaveLength(2);
    const entry = JSON.parse(lines[1] ?? '{}') as { upstream: Record<string, unknown> };
    expect(entry.upstream).toMatchObject({ service: 'plex', path: '/logged?a=b', status: 200, attempt: 2 });
    expect(typeof entry.upstream.durationMs).toBe('number');
    expect(typeof entry.upstream.bytes).toBe('number');
    expect(output).not.toContain(SECRET);
  });

  it('never puts the secret into an error message, even if the upstream echoes it', async () => {
    const c = client();
    const err = c.error('bad_response', `upstream said: bad key ${SECRET} at http://h/?key=${SECRET}`);
    expect(err.message).not.toContain(SECRET);
    expect(JSON.stringify(err.details)).not.toContain(SECRET);
  });
});
