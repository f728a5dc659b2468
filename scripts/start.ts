/**
 * `npm start`: the API on http://127.0.0.1:$PORT through serverless-offline.
 *
 * - No MONGODB_URI → starts the embedded store, persisted under PLM_DATA_DIR (.data/).
 * - No PLEX_URL with the embedded store (or PLM_DEMO=true) → demo mode: a generated
 *   library served by the fake Plex and Tautulli on loopback, and a `demo` user, so
 *   every endpoint can be tried at once. Never into MONGODB_URI's database unless
 *   PLM_DEMO=true, never with NODE_ENV=production (scripts/demo-mode.ts).
 * - Local secrets (JWT, settings encryption key) are generated once into .data/.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { decideDemo } from './demo-mode';
import { startGateway } from './local-gateway';
import { DB_FILE, localSecret, startStore, type StartedStore } from './local-store';

const root = join(__dirname, '..');
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));

const env = process.env;
env.NODE_ENV ??= 'development';
env.PORT ??= '3001';
env.PLM_LAMBDA_PORT ??= String(Number(env.PORT) + 1);
env.JWT_SECRET ??= localSecret('JWT_SECRET', () => randomBytes(48).toString('base64url'));
env.SETTINGS_ENCRYPTION_KEY ??= localSecret('SETTINGS_ENCRYPTION_KEY', () => randomBytes(32).toString('base64'));
env.CORS_ALLOWED_ORIGINS ??= 'http://localhost:3000,http://127.0.0.1:3000';
// The scheduled warmer runs inside serverless-offline too; in demo mode it keeps the cache warm.
env.PLM_WARMER_ENABLED ??= 'true';

const cleanups: Array<() => Promise<void>> = [];
const say = (line: string) => process.stdout.write(`[plm] ${line}\n`);

/**
 * serverless-offline on an internal port, behind the local gateway on $PORT
 * (scripts/local-gateway.ts: CORS allow-list, plm's error envelope, a bound on
 * concurrent requests). `--useInProcess` runs the handlers in one process: its
 * default starts a worker thread per concurrent request (one Lambda container
 * each), which at a few hundred clients means gigabytes and minutes of start-up.
 */
const startOffline = async () => {
  const internalPort = await freePort();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: Number(env.PORT),
    upstreamPort: internalPort,
    allowedOrigins: (env.CORS_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()),
    maxInFlight: 32,
    maxQueued: 2000,
    maxBodyBytes: 1024 * 1024,
  });
  cleanups.push(() => gateway.close());
  const bin = join(root, 'node_modules', '.bin', 'serverless');
  const args = ['offline', 'start', '--stage', 'local', '--useInProcess', '--httpPort', String(internalPort)];
  // Every function runs in this one process (useInProcess). Its heap is capped as a Lambda's memory
  // caps a function's, so the garbage of a library build is collected before it piles up.
  const offlineEnv = { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, '--max-old-space-size=448'].filter(Boolean).join(' ') };
  return spawn(bin, args, { cwd: root, env: offlineEnv, stdio: 'inherit' });
};

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const main = async (): Promise<void> => {
  const { demo, note } = decideDemo({ ...env, embeddedStore: !env.MONGODB_URI });
  if (!env.MONGODB_URI) {
    const store: StartedStore = await startStore({ port: Number(env.PLM_EMBEDDED_MONGO_PORT ?? 0), advertise: true });
    cleanups.push(() => store.stop());
    env.MONGODB_URI = store.uri;
    say(`embedded MongoDB-compatible store on ${store.uri.split('/?')[0]} (data: ${DB_FILE})`);
  } else {
    say('using MONGODB_URI');
  }

  if (note) say(note);
  if (demo) {
    const { startDemo } = await import('./demo');
    const started = await startDemo();
    cleanups.push(() => started.stop());
    Object.assign(env, started.env);
    say(`demo mode: fake Plex ${started.env.PLEX_URL}, fake Tautulli ${started.env.TAUTULLI_URL} (${started.summary})`);
    say(`demo login: {"username":"${started.username}","password":"${started.password}"}`);
  }

  const offline = await startOffline();
  say(`starting the API on http://127.0.0.1:${env.PORT} (try: curl http://127.0.0.1:${env.PORT}/api/health)`);

  const shutdown = async (code: number) => {
    if (offline.exitCode === null) offline.kill('SIGTERM');
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  offline.on('exit', (code) => void shutdown(code ?? 0));
};

main().catch(async (error: unknown) => {
  process.stderr.write(`[plm] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(1);
});
