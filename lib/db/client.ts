import { MongoClient, type Db, MongoError } from 'mongodb';
import { getConfig } from '../config';
import { APIError, databaseUnavailable } from '../errors';
import { logger } from '../logger';
import { ensureIndexes } from './indexes';

/**
 * The one MongoDB client. Created in module scope on first use and reused by
 * every warm invocation of the container (Lambda guidance: small pool, idle
 * sockets closed, fail fast when the server cannot be selected).
 */
let clientPromise: Promise<MongoClient> | undefined;
let dbPromise: Promise<Db> | undefined;

const connect = async (): Promise<MongoClient> => {
  const config = getConfig();
  if (!config.MONGODB_URI) {
    throw new APIError(
      'MONGODB_URI is not set (npm start provides an embedded store; set MONGODB_URI for a real MongoDB)',
      503,
      'DATABASE_UNAVAILABLE',
      { expose: false },
    );
  }
  const client = new MongoClient(config.MONGODB_URI, {
    maxPoolSize: 5,
    minPoolSize: 0,
    maxIdleTimeMS: 60_000,
    serverSelectionTimeoutMS: 5_000,
    connectTimeoutMS: 5_000,
    socketTimeoutMS: 30_000,
    appName: 'plm',
  });
  await client.connect();
  return client;
};

/** The URI the client was made with: a rotated MONGODB_URI (read again from SSM) gets a new client. */
let clientUri: string | undefined;
const dropClientOfOldUri = (): void => {
  const uri = getConfig().MONGODB_URI;
  if (clientUri !== uri && clientPromise) void closeDb();
  clientUri = uri;
};

export const getMongoClient = async (): Promise<MongoClient> => {
  dropClientOfOldUri();
  clientPromise ??= connect().catch((error: unknown) => {
    // Forget the failed attempt so the next invocation retries instead of failing forever.
    clientPromise = undefined;
    dbPromise = undefined;
    logger.error('MongoDB connection failed', { error });
    throw error instanceof APIError ? error : databaseUnavailable(error);
  });
  return clientPromise;
};

/** The application database, with its indexes ensured once per container. */
export const getDb = async (): Promise<Db> => {
  dropClientOfOldUri();
  dbPromise ??= (async () => {
    const client = await getMongoClient();
    const db = client.db(getConfig().MONGODB_DB);
    await ensureIndexes(db);
    return db;
  })().catch((error: unknown) => {
    dbPromise = undefined;
    throw error instanceof APIError ? error : databaseUnavailable(error);
  });
  return dbPromise;
};

/** Answers whether the database responds, within `timeoutMs`. Never throws. */
export const pingDb = async (timeoutMs = 2_000): Promise<{ ok: boolean; latencyMs: number }> => {
  const started = performance.now();
  try {
    const db = await withTimeout(getDb(), timeoutMs);
    await withTimeout(db.command({ ping: 1 }), timeoutMs);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { ok: false, latencyMs: Math.round(performance.now() - started) };
  }
};

/** True once something asked for the database in this container. */
export const hasDbClient = (): boolean => clientPromise !== undefined;

/** Closes the client (tests, scripts). The next getDb() reconnects. */
export const closeDb = async (): Promise<void> => {
  const pending = clientPromise;
  clientPromise = undefined;
  dbPromise = undefined;
  if (pending) await (await pending.catch(() => undefined))?.close();
};

/** Driver errors that mean "the database cannot be reached", as opposed to a bad query. */
export const isConnectivityError = (error: unknown): boolean =>
  error instanceof MongoError &&
  /MongoServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoNotConnectedError|MongoTopologyClosedError|MongoPoolClearedError/.test(
    error.name,
  );

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
