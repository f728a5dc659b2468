import { readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { startServeWithLibrary, type ServedWithData } from '../helpers/serve';
import { ContractChecker } from './checker';
import type { paths } from './client/plm-api';

/**
 * The contract as a client author meets it: types generated from openapi.json
 * with openapi-typescript (tests/contract/client/plm-api.ts, compiled by
 * `npm test`'s tsc), a client written with openapi-fetch that calls every
 * operation of the document against the running API (`npm run serve`), and
 * every answer — status, media type, body, headers — checked against the
 * document. Target: zero mismatches.
 */
jest.setTimeout(180_000);

const DOCUMENT = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8')) as Record<
  string,
  unknown
>;
const checker = new ContractChecker(DOCUMENT);

interface Call {
  operation: string;
  status: number;
  problems: string[];
}
const calls: Call[] = [];

/** Records and checks every answer the client receives. */
const checking: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const body = await response.clone().text();
    const problems = checker.check(request.method, schemaPath, {
      status: response.status,
      headers: response.headers,
      body,
    });
    calls.push({ operation: `${request.method} ${schemaPath}`, status: response.status, problems });
    return undefined;
  },
};

let served: ServedWithData;
let client: Client<paths>;
let auth: { Authorization: string };

const login = async (username: string, password: string) => {
  const { data, response } = await client.POST('/api/login', { body: { username, password } });
  return { data, status: response.status };
};

beforeAll(async () => {
  // No retries and a short timeout, so a hanging fake Plex turns into a 504 quickly.
  served = await startServeWithLibrary({ UPSTREAM_RETRIES: '0', UPSTREAM_TIMEOUT_MS: '1500' });
  client = createClient<paths>({ baseUrl: served.url });
  client.use(checking);
  const { data } = await login(served.username, served.password);
  if (!data) throw new Error('login failed');
  auth = { Authorization: `Bearer ${data.token}` };
});

afterAll(async () => {
  await served?.stopAll();
});

const statusesOf = (operation: string): number[] =>
  [...new Set(calls.filter((c) => c.operation === operation).map((c) => c.status))].sort();

describe('the contract, called with a generated client', () => {
  it('health, the document and the docs page', async () => {
    const health = await client.GET('/api/health');
    expect(health.data?.status).toBe('ok');
    const doc = await client.GET('/api/openapi.json');
    expect(doc.data).toEqual(DOCUMENT);
    const page = await client.GET('/api/docs', { parseAs: 'text' });
    expect(page.data).toContain('swagger-ui-bundle.js');
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'docs.js', 'favicon-32x32.png'] as const) {
      const asset = await client.GET('/api/docs/{file}', { params: { path: { file } }, parseAs: 'blob' });
      expect(asset.response.status).toBe(200);
    }
  });

  it('log in, refresh, and the ways they fail', async () => {
    expect((await login(served.username, 'wrong-password')).status).toBe(401);
    const missing = await client.POST('/api/login', { body: { username: served.username } as never });
    expect(missing.response.status).toBe(400);
    const notJson = await client.POST('/api/login', {
      body: { username: 'x', password: 'y' },
      bodySerializer: () => '{"username":',
    });
    expect(notJson.response.status).toBe(400);
    const wrongType = await client.POST('/api/login', {
      body: { username: 'x', password: 'y' },
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(wrongType.response.status).toBe(415);
    const huge = await client.POST('/api/login', { body: { username: 'x', password: 'y'.repeat(20_000) } });
    expect(huge.response.status).toBe(413);
    let limited = 0;
    for (let i = 0; i < 7; i++) limited = (await login('nobody-here', `guess-${i}`)).status;
    expect(limited).toBe(429);

    const session = await login(served.username, served.password);
    const old = session.data?.refreshToken ?? '';
    const renewed = await client.POST('/api/token/refresh', { body: { refreshToken: old } });
    expect(renewed.data?.tokenType).toBe('Bearer');
    // Within REFRESH_GRACE_MS the last spent token is a retry (same successor); one rotation further
    // back it is a reuse, which revokes the family.
    await client.POST('/api/token/refresh', { body: { refreshToken: renewed.data?.refreshToken ?? '' } });
    const reused = await client.POST('/api/token/refresh', { body: { refreshToken: old } });
    expect(reused.error?.error.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('libraries and unused media, JSON and CSV, and their refusals', async () => {
    expect((await client.GET('/api/libraries')).response.status).toBe(401);
    const badToken = await client.GET('/api/libraries', { headers: { Authorization: 'Bearer a.b.c' } });
    expect(badToken.error?.error.code).toBe('INVALID_TOKEN');
    const libraries = await client.GET('/api/libraries', { headers: auth, params: { query: { refresh: true } } });
    expect(libraries.data?.length).toBeGreaterThanOrEqual(4);
    const movies = libraries.data?.find((l) => l.type === 'movie')?.id ?? '1';
    const photos = libraries.data?.find((l) => l.type === 'photo')?.id ?? '4';
    const unused = (query: paths['/api/library/{id}/unused']['get']['parameters']['query'], id = movies) =>
      client.GET('/api/library/{id}/unused', { headers: auth, params: { path: { id }, query } });
    const page = await unused({ threshold: 30, limit: 5, offset: 1, sort: 'size', order: 'desc' });
    expect(Array.isArray(page.data) ? page.data.length : page.data).toBe(5);
    expect(page.response.headers.get('x-total-count')).toMatch(/^[0-9]+$/);
    const csv = await client.GET('/api/library/{id}/unused', {
      headers: auth,
      params: { path: { id: movies }, query: { threshold: 30, format: 'csv' } },
      parseAs: 'text',
    });
    expect(csv.data).toMatch(/^id,title,/);
    expect((await unused({ threshold: 30, refresh: true })).response.status).toBe(200);
    expect((await unused({ threshold: 0 })).response.status).toBe(400);
    expect((await unused({ limit: 20_000 })).response.status).toBe(400);
    expect((await unused({}, '999')).error?.error.code).toBe('LIBRARY_NOT_FOUND');
    expect((await unused({}, photos)).error?.error.code).toBe('UNSUPPORTED_LIBRARY_TYPE');
  });

  it('answers Plex failures as declared: 502 when Plex fails, 202 and a build status when it hangs, stale when a snapshot exists', async () => {
    const libraries = await client.GET('/api/libraries', { headers: auth });
    const idOf = (type: string) => libraries.data?.find((l) => l.type === type)?.id ?? '';
    const unused = (id: string, refresh = false) =>
      client.GET('/api/library/{id}/unused', { headers: auth, params: { path: { id }, query: { refresh } } });
    try {
      // Faults on one library's listing only, so Plex itself still looks up for the other calls.
      served.plex.setFault({ kind: 'hang', path: `/library/sections/${idOf('artist')}/` });
      // A hanging Plex outlasts the request's wait for the build: 202 and the build status (never a 504 loop).
      const building = await unused(idOf('artist'));
      expect(building.response.status).toBe(202);
      const status = await client.GET('/api/library/{id}/refresh', {
        headers: auth,
        params: { path: { id: idOf('artist') } },
      });
      expect(status.data?.state).toBe('building');
      served.plex.setFault({ kind: 'status', status: 500, path: `/library/sections/${idOf('show')}/` });
      expect((await unused(idOf('show'))).error?.error.code).toBe('PLEX_UNAVAILABLE');
      served.plex.setFault({ kind: 'status', status: 500 });
      const stale = await unused(idOf('movie'), true);
      expect(stale.response.headers.get('x-cache')).toBe('stale');
    } finally {
      served.plex.clearFaults();
    }
  });

  it('summaries, watch scopes, accounts and the keep list', async () => {
    const movies = '1';
    const summary = await client.GET('/api/library/{id}/summary', {
      headers: auth,
      params: { path: { id: movies }, query: { thresholds: '30,90', scope: 'owner' } },
    });
    expect(summary.data?.thresholds.map((t) => t.days)).toEqual([30, 90]);
    const all = await client.GET('/api/summary', { headers: auth });
    expect(all.data?.libraries.length).toBeGreaterThanOrEqual(3);
    const accounts = await client.GET('/api/library/{id}/accounts', {
      headers: auth,
      params: { path: { id: movies } },
    });
    expect(accounts.data?.some((a) => a.owner)).toBe(true);
    const nobody = await client.GET('/api/library/{id}/unused', {
      headers: auth,
      params: { path: { id: movies }, query: { scope: 'user:no-such-account' } },
    });
    expect(nobody.error?.error.code).toBe('ACCOUNT_NOT_FOUND');

    const first = await client.GET('/api/library/{id}/unused', {
      headers: auth,
      params: { path: { id: movies }, query: { threshold: 30, limit: 1 } },
    });
    // The 200 is JSON or CSV (format=csv), so the generated type is MediaItem[] | string.
    const itemId = Array.isArray(first.data) ? (first.data[0]?.id ?? '') : '';
    const keep = (body?: { note?: string | null }) =>
      client.PUT('/api/library/{id}/keep/{itemId}', { headers: auth, params: { path: { id: movies, itemId } }, body });
    expect((await keep({ note: 'a favourite' })).response.status).toBe(201);
    expect((await keep({ note: 'still a favourite' })).response.status).toBe(200);
    const missing = await client.PUT('/api/library/{id}/keep/{itemId}', {
      headers: auth,
      params: { path: { id: movies, itemId: '999999999' } },
    });
    expect(missing.error?.error.code).toBe('ITEM_NOT_FOUND');
    const kept = await client.GET('/api/library/{id}/unused', {
      headers: auth,
      params: { path: { id: movies }, query: { threshold: 30, includeKept: true, limit: 5 } },
    });
    expect(kept.response.headers.get('x-kept-count')).toBe('1');
    const list = await client.GET('/api/keep', { headers: auth });
    expect(list.data?.map((k) => k.itemId)).toEqual([itemId]);
    const path = { id: movies, itemId };
    expect(
      (await client.DELETE('/api/library/{id}/keep/{itemId}', { headers: auth, params: { path } })).response.status,
    ).toBe(204);
    const again = await client.DELETE('/api/library/{id}/keep/{itemId}', { headers: auth, params: { path } });
    expect(again.error?.error.code).toBe('KEEP_NOT_FOUND');
  });

  it('settings: read, change with If-Match, lose races, verify', async () => {
    const read = await client.GET('/api/settings', { headers: auth });
    const etag = read.response.headers.get('etag') ?? '';
    expect(read.data?.plexToken.configured).toBe(true);
    const changed = await client.PUT('/api/settings', {
      headers: { ...auth, 'If-Match': etag },
      body: { defaultThresholdDays: 120 },
    });
    expect(changed.data?.defaultThresholdDays).toBe(120);
    const stale = await client.PUT('/api/settings', {
      headers: { ...auth, 'If-Match': etag },
      body: { defaultThresholdDays: 150 },
    });
    expect(stale.response.status).toBe(412);
    const conflict = await client.PUT('/api/settings', { headers: auth, body: { version: 0, timezone: 'UTC' } });
    expect(conflict.error?.error.code).toBe('SETTINGS_VERSION_CONFLICT');
    const invalid = await client.PUT('/api/settings', { headers: auth, body: { defaultThresholdDays: 0 } });
    expect(invalid.response.status).toBe(400);
    const verified = await client.PUT('/api/settings', {
      headers: auth,
      params: { query: { verify: true } },
      body: { cacheTtlMinutes: 30 },
    });
    expect(verified.data?.verification?.ok).toBe(true);
    const checked = await client.POST('/api/settings/verify', { headers: auth });
    expect(checked.data?.plex.status).toBe('ok');
  });

  it('change the password, log out, and the token stops working', async () => {
    const wrong = await client.POST('/api/password', {
      headers: auth,
      body: { currentPassword: 'not-it', newPassword: 'a-new-password-2' },
    });
    expect(wrong.response.status).toBe(403);
    const changed = await client.POST('/api/password', {
      headers: auth,
      body: { currentPassword: served.password, newPassword: 'a-new-password-2' },
    });
    expect(changed.data?.token).toBeTruthy();
    const fresh = { Authorization: `Bearer ${changed.data?.token}` };
    const out = await client.POST('/api/logout', {
      headers: fresh,
      body: { refreshToken: changed.data?.refreshToken },
    });
    expect(out.response.status).toBe(204);
    const after = await client.GET('/api/settings', { headers: fresh });
    expect(after.error?.error.code).toBe('SESSION_REVOKED');
  });

  it('called every operation of the document, and every answer matched it', () => {
    const documented = Object.entries(DOCUMENT.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect([...new Set(calls.map((c) => c.operation))].sort()).toEqual(documented.sort());
    const mismatches = calls.flatMap((c) => c.problems.map((p) => `${c.operation} → ${c.status}: ${p}`));
    const statuses = new Set(calls.map((c) => `${c.operation} ${c.status}`)).size;
    // Straight to fd 2, past the log capture: CI output shows the contract's figures.
    writeSync(
      2,
      `contract: ${calls.length} calls, ${documented.length} operations, ${statuses} operation/status pairs, ${mismatches.length} mismatches\n${documented.map((op) => `  ${op}: ${statusesOf(op).join(', ')}\n`).join('')}`,
    );
    expect(mismatches).toEqual([]);
  });
});
