import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/ports';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '../../lib/auth/users';
import { generateLibrary, startFakePlex, startFakeTautulli, type FakePlex, type FakeTautulli } from '../../dev/fakes';

/**
 * `npm run serve` as a user runs it (node --import tsx scripts/serve.ts, NODE_ENV=production),
 * in a child process on a free loopback port, against this test file's database and
 * fake Plex/Tautulli servers in the test process.
 */
const ROOT = join(__dirname, '..', '..');

export interface Served {
  url: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output: () => string;
  /** SIGTERM, then waits for the exit (SIGKILL after 15 s); resolves with the exit code. */
  stop: () => Promise<number | null>;
}

/** Starts the self-hosted server with `env` over the test's environment; resolves once it prints its URL. */
export const startServe = async (env: NodeJS.ProcessEnv = {}): Promise<Served> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plm-serve-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BCRYPT_COST: '12',
      LOG_LEVEL: 'WARN',
      PLM_DATA_DIR: dataDir,
      PLM_WARMER_ENABLED: 'false',
      PORT: String(await freePort()),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run serve did not start in 60 s:\n${output}`)), 60_000);
    const look = () => {
      const found = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm run serve exited with ${code}:\n${output}`));
    });
  });
  const stop = async (): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(kill);
    rmSync(dataDir, { recursive: true, force: true });
    return code;
  };
  return { url, child, output: () => output, stop };
};

export interface ServedWithData extends Served {
  username: string;
  password: string;
  plex: FakePlex;
  tautulli: FakeTautulli;
  /** Stops the server and the fakes. */
  stopAll: () => Promise<void>;
}

/**
 * The server with something to serve: a generated library behind fake Plex and
 * Tautulli (server-wide credentials) and one user in this file's database.
 */
export const startServeWithLibrary = async (env: NodeJS.ProcessEnv = {}): Promise<ServedWithData> => {
  const dataset = generateLibrary({ seed: 11, movies: 120, episodes: 200, artists: 3, photos: 5 });
  const plex = await startFakePlex(dataset, { token: 'plex-token-for-the-served-api' });
  const tautulli = await startFakeTautulli(dataset, { apiKey: 'tautulli-key-for-the-served-api' });
  const username = 'served';
  const password = 'served-password-1';
  await createUser(username, password);
  const served = await startServe({
    PLEX_URL: plex.url,
    PLEX_TOKEN: 'plex-token-for-the-served-api',
    TAUTULLI_URL: tautulli.url,
    TAUTULLI_API_KEY: 'tautulli-key-for-the-served-api',
    ...env,
  });
  const stopAll = async () => {
    await served.stop();
    await Promise.all([plex.close(), tautulli.close()]);
  };
  return { ...served, username, password, plex, tautulli, stopAll };
};
