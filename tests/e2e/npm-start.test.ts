import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/ports';
import { stopProcessGroup, waitUntilHealthy } from '../../dev/process-group';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * End to end: the real `npm start` (serverless-offline + embedded store + demo
 * fakes), the real user CLI, and plain HTTP on loopback.
 */
jest.setTimeout(180_000);

const root = join(__dirname, '..', '..');
const run = promisify(execFile);

let child: ChildProcess;
let base: string;
let output = '';
const dataDir = mkdtempSync(join(tmpdir(), 'plm-e2e-'));
const env: NodeJS.ProcessEnv = { ...process.env, PLM_DATA_DIR: dataDir, NODE_ENV: 'development', LOG_LEVEL: 'WARN' };
for (const name of [
  'MONGODB_URI',
  'MONGODB_DB',
  'JWT_SECRET',
  'SETTINGS_ENCRYPTION_KEY',
  'BCRYPT_COST',
  'PLEX_URL',
  'TAUTULLI_URL',
])
  delete env[name];

beforeAll(async () => {
  const port = await freePort();
  env.PORT = String(port);
  env.PLM_LAMBDA_PORT = String(await freePort());
  base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntilHealthy(base, child, { name: 'npm start', timeoutMs: 120_000, output: () => output });
});

afterAll(async () => {
  await stopProcessGroup(child?.pid, 10_000);
  child?.stdout?.destroy();
  child?.stderr?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

const post = (path: string, body: unknown, token?: string) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

it('answers unknown routes with the JSON error shape and security headers', async () => {
  const res = await fetch(`${base}/api/nope`);
  expect(res.status).toBe(404);
  expect(await res.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

it('serves health with the version and a responding database', async () => {
  const res = await fetch(`${base}/api/health`);
  expect(await res.json()).toMatchObject({ status: 'ok', mongodb: { ok: true } });
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
});

it('creates a user with the CLI while the server runs, then logs in over HTTP', async () => {
  const cli = await run(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/user.ts', 'create', '--username', 'erin'],
    {
      cwd: root,
      env: { ...env, PLM_PASSWORD: 'erin-password-1' },
    },
  );
  expect(cli.stdout).toContain('created user erin');

  const res = await post('/api/login', { username: 'erin', password: 'erin-password-1' });
  expect(res.status).toBe(200);
  const { token } = (await res.json()) as { token: string };
  expect(token.split('.')).toHaveLength(3);

  const bad = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"username":',
  });
  expect(bad.status).toBe(400);
  expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_JSON' } });
});

it('serves the demo library: libraries and unused media', async () => {
  const login = await post('/api/login', { username: 'demo', password: 'demo-password' });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  const libs = await fetch(`${base}/api/libraries`, { headers: auth });
  expect(libs.status).toBe(200);
  const libraries = (await libs.json()) as Array<{ id: string; type: string }>;
  const movies = libraries.find((l) => l.type === 'movie');
  expect(movies).toBeDefined();

  const unused = await fetch(`${base}/api/library/${movies!.id}/unused?threshold=30`, { headers: auth });
  expect(unused.status).toBe(200);
  const items = (await unused.json()) as Array<{ id: string; reason: string }>;
  expect(items.length).toBeGreaterThan(0);
  expect(Number(unused.headers.get('x-total-count'))).toBe(items.length);

  const noAuth = await fetch(`${base}/api/libraries`);
  expect(noAuth.status).toBe(401);
});

it('runs the scheduled cache warmer on demand through the local Lambda endpoint', async () => {
  const res = await fetch(
    `http://127.0.0.1:${env.PLM_LAMBDA_PORT}/2015-03-31/functions/plm-local-warmCache/invocations`,
    {
      method: 'POST',
      body: JSON.stringify({ force: true }),
    },
  );
  expect(res.status).toBe(200);
  const report = (await res.json()) as {
    servers: number;
    serversFailed: number;
    refreshed: number;
    failed: number;
    items: number;
  };
  expect(report.servers).toBe(1);
  expect(report.serversFailed).toBe(0);
  expect(report.failed).toBe(0);
  expect(report.refreshed).toBeGreaterThanOrEqual(3); // movies, shows, music (photos are not judged)
  expect(report.items).toBeGreaterThan(0);
});
