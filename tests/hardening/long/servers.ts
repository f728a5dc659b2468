/**
 * The servers the load test drives, as child processes on 127.0.0.1, each
 * against the test's own database and fake Plex/Tautulli: `npm start`
 * (serverless-offline behind the local gateway) and `npm run serve` (the
 * self-hosted production server, when package.json has that script).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../../../dev/ports';
import { stopProcessGroup, waitUntilHealthy } from '../../../dev/process-group';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');

export interface Upstreams {
  PLEX_URL: string;
  PLEX_TOKEN: string;
  TAUTULLI_URL: string;
  TAUTULLI_API_KEY: string;
}

export interface RunningServer {
  base: string;
  /** Resident memory of the server's whole process group, in MB (and without esbuild's build service). */
  rssMB(): { total: number; withoutEsbuild: number };
  output(): string;
  stop(): Promise<void>;
}

export const hasServeScript = (): boolean =>
  typeof (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts
    ?.serve === 'string';

/** Resident memory of a process group, in MB: all of it, and without esbuild's build service. */
const groupRssMB = (pgid: number): { total: number; withoutEsbuild: number } => {
  try {
    const out = execFileSync('ps', ['-o', 'rss=,args=', '-g', String(pgid)], { encoding: 'utf8' });
    const rows = out
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => ({ kb: Number(l.split(/\s+/)[0]) || 0, esbuild: /esbuild --service/.test(l) }));
    const mb = (kb: number) => Math.round(kb / 1024);
    return {
      total: mb(rows.reduce((n, r) => n + r.kb, 0)),
      withoutEsbuild: mb(rows.filter((r) => !r.esbuild).reduce((n, r) => n + r.kb, 0)),
    };
  } catch {
    return { total: 0, withoutEsbuild: 0 };
  }
};

/** Variables no server under test may inherit from the test process. */
const CLEAN = ['NODE_ENV', 'JWT_SECRET', 'SETTINGS_ENCRYPTION_KEY', 'BCRYPT_COST', 'LOG_LEVEL', 'PLM_DATA_DIR', 'PORT'];

const startProcess = async (
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  port: number,
): Promise<RunningServer> => {
  const base = `http://127.0.0.1:${port}`;
  const childEnv = { ...process.env };
  for (const name of CLEAN) delete childEnv[name];
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env: { ...childEnv, ...env, PORT: String(port) },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  await waitUntilHealthy(base, child, { name: command, timeoutMs: 180_000, output: () => output });
  const pgid = child.pid ?? 0;
  return {
    base,
    rssMB: () => groupRssMB(pgid),
    output: () => output,
    stop: async () => {
      await stopProcessGroup(pgid);
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
};

/** `npm start` against the given database and upstreams (no demo mode: PLEX_URL is set). */
export const startNpmStart = async (
  db: { uri: string; name: string },
  upstreams: Upstreams,
): Promise<RunningServer> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plm-load-'));
  const server = await startProcess(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'],
    {
      ...upstreams,
      NODE_ENV: 'development',
      LOG_LEVEL: 'ERROR',
      MONGODB_URI: db.uri,
      MONGODB_DB: db.name,
      PLM_DATA_DIR: dataDir,
      PLM_WARMER_ENABLED: 'false',
      PLM_LAMBDA_PORT: String(await freePort()),
    },
    await freePort(),
  );
  return {
    ...server,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** `npm run serve`: the self-hosted production server (NODE_ENV=production, its own secrets). */
export const startNpmServe = async (db: { uri: string; name: string }, upstreams: Upstreams): Promise<RunningServer> =>
  startProcess(
    'npm',
    ['run', '--silent', 'serve'],
    {
      ...upstreams,
      NODE_ENV: 'production',
      LOG_LEVEL: 'ERROR',
      MONGODB_URI: db.uri,
      MONGODB_DB: db.name,
      JWT_SECRET: randomBytes(48).toString('base64url'),
      SETTINGS_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      UPSTREAM_ALLOW_LAN: 'true',
      PLM_WARMER_ENABLED: 'false',
    },
    await freePort(),
  );
