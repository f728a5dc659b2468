/**
 * `npm run serve`: plm self-hosted — the same handlers as in AWS Lambda, in one
 * production Node HTTP server (no serverless-offline), for running plm at home
 * next to Plex. See docs/self-hosting.md.
 *
 * - NODE_ENV=production unless set: strong secrets, no development defaults.
 * - No MONGODB_URI → the embedded store, persisted in PLM_DATA_DIR (.data/);
 *   JWT and settings-encryption keys are generated there once, unless set.
 * - PORT (3001) and PLM_HOST (127.0.0.1; 0.0.0.0 serves your network).
 * - The cache warmer runs on start and every 15 minutes (PLM_WARMER_ENABLED=false: never).
 * - `npm run serve -- --demo`: npm start's demo library and user instead of your Plex
 *   (NODE_ENV=development then: the demo user's password is public).
 * - SIGTERM/SIGINT: stops accepting, lets answers in progress finish (≤ 30 s),
 *   waits for a warmer run, closes MongoDB and the embedded store.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decideDemo } from './demo-mode';
import { DB_FILE, localSecret, startStore } from './local-store';

const root = join(__dirname, '..');
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));

const env = process.env;
const demoRequested = process.argv.includes('--demo');
// The demo writes the user demo / demo-password: never in production (scripts/demo-mode.ts).
env.NODE_ENV ??= demoRequested ? 'development' : 'production';
env.JWT_SECRET ??= localSecret('JWT_SECRET', () => randomBytes(48).toString('base64url'));
env.SETTINGS_ENCRYPTION_KEY ??= localSecret('SETTINGS_ENCRYPTION_KEY', () => randomBytes(32).toString('base64'));

const SHUTDOWN_GRACE_MS = 30_000;
const WARM_WINDOW_MS = 15 * 60_000;
const cleanups: Array<() => Promise<void>> = [];
const say = (line: string) => process.stdout.write(`[plm] ${line}\n`);

/** The demo library behind fake Plex/Tautulli on loopback, and the `demo` user (as `npm start` without PLEX_URL). */
const startDemoMode = async (embeddedStore: boolean): Promise<void> => {
  // Refuses production and a configured Plex, naming why.
  decideDemo({ NODE_ENV: env.NODE_ENV, PLEX_URL: env.PLEX_URL, PLM_DEMO: 'true', embeddedStore });
  const { startDemo } = await import('./demo');
  const demo = await startDemo();
  cleanups.push(() => demo.stop());
  Object.assign(env, demo.env);
  // Creating the demo user read the configuration before the demo's Plex existed.
  (await import('../lib/config')).resetConfig();
  say(`demo mode: ${demo.summary}; log in with {"username":"${demo.username}","password":"${demo.password}"}`);
};

const main = async (): Promise<void> => {
  const embeddedStore = !env.MONGODB_URI;
  if (embeddedStore) {
    const store = await startStore({ port: Number(env.PLM_EMBEDDED_MONGO_PORT ?? 0), advertise: true });
    cleanups.push(() => store.stop());
    env.MONGODB_URI = store.uri;
    say(`embedded MongoDB-compatible store (data: ${DB_FILE})`);
  }
  if (demoRequested) await startDemoMode(embeddedStore);
  // Imported only now: the configuration is read from the environment completed above.
  const { ROUTES } = await import('../lib/api/routes');
  const { loadConfig } = await import('../lib/config');
  const { closeDb } = await import('../lib/db/client');
  const { createApiServer } = await import('../lib/serve/server');
  const { startWarmSchedule } = await import('../lib/serve/warm-schedule');
  const { invocationContext } = await import('../lib/serve/event');
  const { HTTP_HANDLERS, warmCache } = await import('./serve-handlers');

  await loadConfig(); // refuse to start on an invalid configuration, naming the variable
  const api = createApiServer({ routes: ROUTES, handlers: HTTP_HANDLERS, fallback: 'notFound' });
  const url = await api.listen(Number(env.PORT ?? 3001), env.PLM_HOST ?? '127.0.0.1');
  cleanups.push(() => closeDb());
  cleanups.push(() => api.close(SHUTDOWN_GRACE_MS));
  say(`listening on ${url} (docs: ${url}/api/docs)`);

  if (env.PLM_WARMER_ENABLED !== 'false') {
    const schedule = startWarmSchedule(() => warmCache({}, invocationContext('plm-warmCache', 'warm', WARM_WINDOW_MS)));
    cleanups.push(() => schedule.stop());
  }

  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: stopping`);
    // The server first, the warmer, then MongoDB and the store: in the reverse order of start.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
};

main().catch(async (error: unknown) => {
  process.stderr.write(`[plm] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(1);
});
