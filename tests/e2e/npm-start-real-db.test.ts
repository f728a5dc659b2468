import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/ports';
import { stopProcessGroup, waitUntilHealthy } from '../../dev/process-group';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { type EmbeddedMongo, spawnEmbeddedMongo } from '../../dev/embedded-mongo/spawn';

/**
 * `npm start` against a database of the user's (MONGODB_URI) with no PLEX_URL,
 * the normal set-up when every user brings their own Plex: no demo, so no
 * `demo` / `demo-password` user is written into that database.
 */
jest.setTimeout(180_000);

const root = join(__dirname, '..', '..');

let database: EmbeddedMongo;
let child: ChildProcess;
let output = '';
const dataDir = mkdtempSync(join(tmpdir(), 'plm-e2e-db-'));
const DB_NAME = 'plm_real_db_start';

beforeAll(async () => {
  database = await spawnEmbeddedMongo();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PLM_DATA_DIR: dataDir,
    NODE_ENV: 'development',
    LOG_LEVEL: 'WARN',
    MONGODB_URI: database.uri,
    MONGODB_DB: DB_NAME,
    PORT: String(await freePort()),
    PLM_LAMBDA_PORT: String(await freePort()),
  };
  for (const name of ['JWT_SECRET', 'SETTINGS_ENCRYPTION_KEY', 'BCRYPT_COST', 'PLEX_URL', 'TAUTULLI_URL', 'PLM_DEMO'])
    delete env[name];
  child = spawn(process.execPath, [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntilHealthy(`http://127.0.0.1:${env.PORT}`, child, {
    name: 'npm start',
    timeoutMs: 120_000,
    output: () => output,
  });
});

afterAll(async () => {
  await stopProcessGroup(child?.pid, 10_000);
  child?.stdout?.destroy();
  child?.stderr?.destroy();
  await database?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('serves the API and creates no user (no demo) in the database it was given', async () => {
  expect(output).toContain('using MONGODB_URI');
  expect(output).toContain("no demo user in MONGODB_URI's database");
  expect(output).not.toContain('demo mode');
  const client = await MongoClient.connect(database.uri);
  try {
    const db = client.db(DB_NAME);
    const collections = (await db.listCollections().toArray()).map((c) => c.name);
    expect(collections).toContain('users'); // the API ran against this database (health made its indexes)
    expect(await db.collection('users').countDocuments()).toBe(0);
  } finally {
    await client.close();
  }
});
