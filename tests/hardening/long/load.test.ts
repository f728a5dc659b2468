// Load users' password hashes cost 10 (≈60 ms of CPU per login on this machine): logins stay in the
// mix without 200 of them at cost 12 drowning everything else on 2 cores.
process.env.BCRYPT_COST = '10';

import { createUser } from '../../../lib/auth/users';
import { getConfig } from '../../../lib/config';
import {
  generateLibrary,
  startFakePlex,
  startFakeTautulli,
  type FakePlex,
  type FakeTautulli,
} from '../../../dev/fakes';
import { Checks, record } from '../tally';
import { hasServeScript, startNpmServe, startNpmStart, type RunningServer, type Upstreams } from './servers';

/**
 * Load, bounded in time and only on 127.0.0.1: concurrent clients mixing
 * login, libraries, unused and settings (reads and writes) against
 * `npm run serve` (200 clients; the self-hosted production server) and
 * `npm start` (50 clients; serverless-offline behind the local gateway).
 * Figures: requests/s, p50/p99, errors (target 0), RSS of the server's whole
 * process group before and after; then 50 concurrent settings PUTs over HTTP
 * end in one consistent document.
 */
jest.setTimeout(600_000);

const DURATION_MS = Number(process.env.PLM_LOAD_SECONDS ?? 30) * 1000;
const MAX_REQUESTS = 50_000;
const USERS = 20;
const PASSWORD = 'load-password-1';

let plex: FakePlex;
let tautulli: FakeTautulli;
let upstreams: Upstreams;
const db = () => ({ uri: getConfig().MONGODB_URI ?? '', name: getConfig().MONGODB_DB });

beforeAll(async () => {
  const ds = generateLibrary({ seed: 5, movies: 600, episodes: 1200, artists: 10, photos: 0, accounts: 5 });
  plex = await startFakePlex(ds, { token: 'load-plex-token-0123456789' });
  tautulli = await startFakeTautulli(ds, { apiKey: 'load-tautulli-key-0123456789abcd' });
  upstreams = {
    PLEX_URL: plex.url,
    PLEX_TOKEN: 'load-plex-token-0123456789',
    TAUTULLI_URL: tautulli.url,
    TAUTULLI_API_KEY: 'load-tautulli-key-0123456789abcd',
  };
  for (let i = 0; i < USERS; i++) await createUser(`load${i}`, PASSWORD);
});
afterAll(async () => {
  await Promise.all([plex?.close(), tautulli?.close()]);
});

interface Outcome {
  latencies: number[];
  byKind: Map<string, number[]>;
  errors: Map<string, number>;
  requests: number;
  seconds: number;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** `clients` loops, each: log in, then libraries / unused / settings GET and PUT, and now and then a login again. */
const drive = async (base: string, clients: number): Promise<Outcome> => {
  const latencies: number[] = [];
  const byKind = new Map<string, number[]>();
  const errors = new Map<string, number>();
  let requests = 0;
  const started = Date.now();
  const go = () => Date.now() - started < DURATION_MS && requests < MAX_REQUESTS;
  const request = async (method: string, path: string, token?: string, body?: unknown): Promise<unknown> => {
    requests++;
    const t0 = performance.now();
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
          'accept-encoding': 'gzip',
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      const ms = performance.now() - t0;
      latencies.push(ms);
      const kind = `${method} ${path.split('?')[0]?.replace(/\/library\/\d+\//, '/library/{id}/')}`;
      byKind.set(kind, [...(byKind.get(kind) ?? []), ms]);
      if (res.status >= 300) {
        // the error code names the cause in a failure report (e.g. 409 SETTINGS_WRITE_CONFLICT)
        const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? '';
        const key = `${method} ${path.split('?')[0]} ${res.status} ${code}`.trim();
        errors.set(key, (errors.get(key) ?? 0) + 1);
      }
      return res.status < 300 && text ? JSON.parse(text) : undefined;
    } catch (e) {
      latencies.push(performance.now() - t0);
      const key = `${method} ${path.split('?')[0]} ${(e as Error).name}`;
      errors.set(key, (errors.get(key) ?? 0) + 1);
      return undefined;
    }
  };
  const login = async (n: number) =>
    (
      (await request('POST', '/api/login', undefined, { username: `load${n % USERS}`, password: PASSWORD })) as
        | { token?: string }
        | undefined
    )?.token;
  // Clients hold tokens as real ones do (24 h): the users log in once before the clients start,
  // and then now and then (about 1 % of the requests) while they run.
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, n) => login(n)));
  const client = async (n: number) => {
    let token = tokens[n % USERS];
    for (let i = 0; go(); i++) {
      if (!token || (i + n) % 97 === 96) token = await login(n);
      const step = (n + i) % 5;
      if (step === 0) await request('GET', '/api/libraries', token);
      else if (step === 1) await request('GET', `/api/library/${1 + ((n + i) % 2)}/unused?limit=50`, token);
      else if (step === 2) await request('GET', '/api/library/1/unused?threshold=30&sort=size&limit=20', token);
      else if (step === 3) await request('GET', '/api/settings', token);
      else await request('PUT', '/api/settings', token, { defaultThresholdDays: 30 + ((n + i) % 300) });
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, n) => client(n)));
  return { latencies, byKind, errors, requests, seconds: (Date.now() - started) / 1000 };
};

/** 50 PUTs of one user at once over HTTP: versions 1..n, the stored document the last write, unmixed. */
const concurrentPuts = async (server: RunningServer, checks: Checks) => {
  const username = `put-race-${Date.now().toString(36)}`;
  await createUser(username, PASSWORD);
  const login = await fetch(`${server.base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const answers = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const res = await fetch(`${server.base}/api/settings`, {
        method: 'PUT',
        headers,
        body: JSON.stringify({ defaultThresholdDays: 100 + i, cacheTtlMinutes: 200 + i }),
      });
      return { status: res.status, body: (await res.json()) as { version: number; defaultThresholdDays: number } };
    }),
  );
  const accepted = answers.filter((a) => a.status === 200).map((a) => a.body);
  const versions = accepted.map((a) => a.version).sort((a, b) => a - b);
  const stored = (await (await fetch(`${server.base}/api/settings`, { headers })).json()) as {
    version: number;
    defaultThresholdDays: number;
    cacheTtlMinutes: number;
  };
  checks.check(
    '50 concurrent PUTs: each accepted write has its own version',
    versions.join() === versions.map((_, i) => i + 1).join(),
    versions.join(),
  );
  checks.check(
    '50 concurrent PUTs: the stored document is the last write, unmixed',
    stored.version === versions.length && stored.cacheTtlMinutes === stored.defaultThresholdDays + 100,
    JSON.stringify(stored),
  );
  return accepted.length;
};

/** The first unused answer of a library builds its snapshot: built once before the clock starts. */
const warm = async (base: string) => {
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'load0', password: PASSWORD }),
  });
  const { token } = (await res.json()) as { token: string };
  for (const id of ['1', '2'])
    await (
      await fetch(`${base}/api/library/${id}/unused?limit=1`, { headers: { authorization: `Bearer ${token}` } })
    ).text();
};

const loadRun = async (label: string, server: RunningServer, clients: number) => {
  const checks = new Checks('load', `${clients} concurrent clients through ${label}`);
  await warm(server.base);
  const rssBefore = server.rssMB();
  const out = await drive(server.base, clients);
  const rssAfter = server.rssMB();
  const errors = [...out.errors.values()].reduce((a, b) => a + b, 0);
  checks.note(
    `${out.requests.toLocaleString('en')} requests in ${out.seconds.toFixed(1)} s = ${(out.requests / out.seconds).toFixed(0)}/s; ` +
      `p50 ${percentile(out.latencies, 50).toFixed(0)} ms, p99 ${percentile(out.latencies, 99).toFixed(0)} ms; ` +
      `errors ${errors}${errors ? ` (${[...out.errors].map(([k, v]) => `${v}× ${k}`).join(', ')})` : ''}; ` +
      `RSS of the process group ${rssBefore.total} → ${rssAfter.total} MB (without esbuild's service ${rssBefore.withoutEsbuild} → ${rssAfter.withoutEsbuild} MB)`,
  );
  checks.note(
    `p50/p99 by request: ${[...out.byKind]
      .map(([k, xs]) => `${k} ${percentile(xs, 50).toFixed(0)}/${percentile(xs, 99).toFixed(0)} ms`)
      .join(', ')}`,
  );
  checks.check('no errors', errors === 0, [...out.errors].map(([k, v]) => `${v}× ${k}`).join(', '));
  const puts = await concurrentPuts(server, checks);
  checks.done(out.requests + puts);
};

it('200 concurrent clients through npm run serve (the self-hosted production server)', async () => {
  if (!hasServeScript()) {
    // The self-hosted server comes with the API-contract issue; until package.json has it there is nothing to load.
    record({
      category: 'load',
      area: '200 concurrent clients through npm run serve: SKIPPED, package.json has no "serve" script yet',
      count: 0,
      failures: 0,
    });
    return;
  }
  const server = await startNpmServe(db(), upstreams);
  try {
    await loadRun('npm run serve', server, 200);
  } finally {
    await server.stop();
  }
});

it('50 concurrent clients through npm start (serverless-offline behind the local gateway)', async () => {
  const server = await startNpmStart(db(), upstreams);
  try {
    await loadRun('npm start', server, 50);
  } finally {
    await server.stop();
  }
});
