import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnEmbeddedMongo } from '../dev/embedded-mongo/spawn';

/**
 * The local embedded store shared by `npm start` and the user CLI: data lives
 * in .data/ (git-ignored); while `npm start` runs, .data/embedded.json says
 * where its server listens so the CLI writes through it instead of the file.
 */
/** PLM_DATA_DIR moves it (the end-to-end test uses a temporary folder). */
export const DATA_DIR = process.env.PLM_DATA_DIR ?? join(__dirname, '..', '.data');
export const DB_FILE = join(DATA_DIR, 'embedded-db.json');
const RUNNING_FILE = join(DATA_DIR, 'embedded.json');

export interface RunningStore {
  uri: string;
  pid: number;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The store `npm start` is running, if any. */
export const findRunningStore = (): RunningStore | undefined => {
  if (!existsSync(RUNNING_FILE)) return undefined;
  try {
    const info = JSON.parse(readFileSync(RUNNING_FILE, 'utf8')) as RunningStore;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
};

export interface StartedStore extends RunningStore {
  stop(): Promise<void>;
}

/** Starts the embedded server on the persisted data file. */
export const startStore = async (options: { port?: number; advertise?: boolean } = {}): Promise<StartedStore> => {
  mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  const store = await spawnEmbeddedMongo({ port: options.port, dataFile: DB_FILE });
  const info = { uri: store.uri, pid: store.child.pid! };
  if (options.advertise) writeFileSync(RUNNING_FILE, JSON.stringify(info));
  const stop = async () => {
    await store.stop();
    if (options.advertise) rmSync(RUNNING_FILE, { force: true });
  };
  return { ...info, stop };
};

/** A persistent local secret (JWT or encryption key), generated once per checkout. */
export const localSecret = (name: string, generate: () => string): string => {
  mkdirSync(DATA_DIR, { recursive: true, mode: 0o700 });
  const file = join(DATA_DIR, 'local-secrets.json');
  const secrets = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {};
  if (!secrets[name]) {
    secrets[name] = generate();
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name]!;
};
