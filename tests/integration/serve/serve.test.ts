import { WARM_EVERY_MINUTES } from '../../../lib/serve/warm-schedule';
import { ALLOWED_HEADERS, ALLOWED_METHODS, PREFLIGHT_MAX_AGE_SECONDS } from '../../../lib/serve/preflight';
import { parseServerlessYml, readRootFile } from '../../helpers/deploy-files';
import { startServeWithLibrary, type ServedWithData } from '../../helpers/serve';

/**
 * `npm run serve`, end to end over HTTP: the same handlers as in Lambda, in one
 * production Node server, with the warmer in-process and a graceful stop.
 */
jest.setTimeout(120_000);

let served: ServedWithData;
let token: string;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${served.url}${path}`, {
    ...init,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) },
  });

beforeAll(async () => {
  // The warmer runs on start; INFO logs show its report.
  served = await startServeWithLibrary({ PLM_WARMER_ENABLED: 'true', LOG_LEVEL: 'INFO' });
  const login = await fetch(`${served.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: served.username, password: served.password }),
  });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  await served?.stopAll();
});

const waitFor = async (condition: () => boolean, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; output:\n${served.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('npm run serve', () => {
  it('prints its URL and answers health with the security headers, once each', async () => {
    expect(served.output()).toContain(`listening on ${served.url} (docs: ${served.url}/api/docs)`);
    const res = await fetch(`${served.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', mongodb: { ok: true } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const vary = (res.headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
    expect(vary).toEqual([...new Set(vary)]);
  });

  it('runs the cache warmer in-process on start, so the first answer is a cache hit', async () => {
    await waitFor(() => served.output().includes('"message":"warmer finished"'), 30_000);
    const report = JSON.parse(
      served
        .output()
        .split('\n')
        .find((l) => l.includes('"warmer finished"')) ?? '{}',
    ) as {
      refreshed?: number;
      failed?: number;
    };
    expect(report.refreshed).toBeGreaterThanOrEqual(3); // movies, shows, music
    expect(report.failed).toBe(0);
    const res = await api('/api/library/1/unused?threshold=30&limit=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('hit');
    expect(((await res.json()) as unknown[]).length).toBeLessThanOrEqual(5);
  });

  it('routes path parameters, query strings and the catch-all as API Gateway does', async () => {
    const csv = await api('/api/library/1/unused?threshold=30&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toContain('library-1-unused-30d.csv');
    const unknown = await api('/api/nope');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    const wrongMethod = await api('/api/health', { method: 'POST' });
    expect(wrongMethod.status).toBe(404);
    const bad = await api('/api/library/1/unused?threshold=0');
    expect(bad.status).toBe(400);
  });

  it('gzips large answers for clients that accept it', async () => {
    const res = await api('/api/library/1/unused?threshold=1', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(Array.isArray(await res.json())).toBe(true); // fetch decodes it
  });

  it('answers CORS preflights from the lists serverless.yml gives API Gateway', async () => {
    const cors = parseServerlessYml(readRootFile('serverless.yml')).provider.httpApi.cors as unknown as {
      allowedHeaders: string[];
      allowedMethods: string[];
      maxAge: number;
    };
    expect([...ALLOWED_HEADERS]).toEqual(cors.allowedHeaders);
    expect([...ALLOWED_METHODS]).toEqual(cors.allowedMethods);
    expect(PREFLIGHT_MAX_AGE_SECONDS).toBe(cors.maxAge);
    const allowed = await fetch(`${served.url}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization,If-Match');
    const denied = await fetch(`${served.url}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(denied.status).toBe(204);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await fetch(`${served.url}/api/health`, { headers: { origin: 'http://localhost:3000' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(answer.headers.get('access-control-expose-headers')?.split(', ')).toContain('X-Total-Count');
  });

  it('refuses a body over the route limit with the API error shape, even a huge one', async () => {
    const res = await api('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('runs its warmer at the rate serverless.yml schedules it in AWS', () => {
    expect(readRootFile('serverless.yml')).toContain(`rate: rate(${WARM_EVERY_MINUTES} minutes)`);
  });

  it('stops gracefully: an answer in progress is finished, then the process exits 0', async () => {
    // Plex answers slowly, so the refresh is still running when SIGTERM arrives.
    served.plex.setFault({ kind: 'slow', delayMs: 1_500 });
    const inFlight = api('/api/library/1/unused?threshold=30&refresh=true&limit=1');
    await new Promise((r) => setTimeout(r, 300));
    const exit = served.stop();
    const res = await inFlight;
    // Finished either way: the snapshot (200) or, when the build outlasts the request's wait, its status (202).
    expect([200, 202]).toContain(res.status);
    expect(await exit).toBe(0);
    expect(served.output()).toContain('[plm] SIGTERM: stopping');
    expect(served.output()).toContain('[plm] stopped');
    served.plex.clearFaults();
  });
});
