/**
 * What every measurement talks to: a generated library of N items (half
 * movies, half episodes) behind the fake Plex and Tautulli in the parent
 * process, and one embedded MongoDB-wire store (or MONGODB_URI) for all runs,
 * each run in a database of its own.
 */
import { randomBytes } from 'node:crypto';
import { generateLibrary, startFakePlex, startFakeTautulli, type FakePlex } from '../../dev/fakes';
import type { FakeTautulli } from '../../dev/fakes';
import { spawnEmbeddedMongo } from '../../dev/embedded-mongo/spawn';

export const PLEX_TOKEN = 'bench-plex-token';
export const TAUTULLI_KEY = 'bench-tautulli-key-0123456789abcd';
export { BENCH_NOW_S } from './clock';
export const MOVIE_SECTION = '1';
export const SHOW_SECTION = '2';

export interface Library {
  items: number;
  plex: FakePlex;
  tautulli: FakeTautulli;
  /** Environment of a child process working against this library (its own database). */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export interface Store {
  uri: string;
  external: boolean;
  stop(): Promise<void>;
}

export const startStore = async (): Promise<Store> => {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, external: true, stop: async () => undefined };
  const mongo = await spawnEmbeddedMongo();
  return { uri: mongo.uri, external: false, stop: () => mongo.stop() };
};

export const startLibrary = async (items: number, store: Store): Promise<Library> => {
  const dataset = generateLibrary({
    seed: 1,
    movies: items / 2,
    episodes: items / 2,
    artists: 0,
    photos: 0,
    deletions: false,
  });
  const plex = await startFakePlex(dataset, { token: PLEX_TOKEN });
  const tautulli = await startFakeTautulli(dataset, { apiKey: TAUTULLI_KEY });
  return {
    items,
    plex,
    tautulli,
    env: () => ({
      MONGODB_URI: store.uri,
      MONGODB_DB: `plm_bench_${randomBytes(4).toString('hex')}`,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
      TAUTULLI_URL: tautulli.url,
      TAUTULLI_API_KEY: TAUTULLI_KEY,
      NODE_ENV: 'development',
      LOG_LEVEL: 'WARN',
      BCRYPT_COST: '12',
    }),
    close: async () => {
      await Promise.all([plex.close(), tautulli.close()]);
    },
  };
};
