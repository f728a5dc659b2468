/**
 * Demo mode for `npm start` without PLEX_URL: a generated library behind the
 * fake Plex and Tautulli servers (the same fakes the tests use) on loopback,
 * and a `demo` user to log in with.
 */
import { randomBytes } from 'node:crypto';
import { createUser, findUserByUsername } from '../lib/auth/users';
import { closeDb } from '../lib/db/client';
import { generateLibrary, startFakePlex, startFakeTautulli } from '../dev/fakes';

export const DEMO_USERNAME = 'demo';
export const DEMO_PASSWORD = 'demo-password';

export interface Demo {
  env: { PLEX_URL: string; PLEX_TOKEN: string; TAUTULLI_URL: string; TAUTULLI_API_KEY: string };
  username: string;
  password: string;
  summary: string;
  stop(): Promise<void>;
}

export const startDemo = async (): Promise<Demo> => {
  const dataset = generateLibrary({
    seed: 7,
    now: Math.floor(Date.now() / 1000),
    movies: Number(process.env.PLM_DEMO_MOVIES ?? 600),
    episodes: Number(process.env.PLM_DEMO_EPISODES ?? 1200),
    artists: 12,
    photos: 40,
  });
  const token = randomBytes(10).toString('hex');
  const apiKey = randomBytes(16).toString('hex');
  const plex = await startFakePlex(dataset, { token, port: Number(process.env.PLM_DEMO_PLEX_PORT ?? 0) });
  const tautulli = await startFakeTautulli(dataset, { apiKey, port: Number(process.env.PLM_DEMO_TAUTULLI_PORT ?? 0) });

  if (!(await findUserByUsername(DEMO_USERNAME))) await createUser(DEMO_USERNAME, DEMO_PASSWORD);
  await closeDb();

  const count = (type: string) => dataset.items.filter((i) => i.type === type).length;
  return {
    env: { PLEX_URL: plex.url, PLEX_TOKEN: token, TAUTULLI_URL: tautulli.url, TAUTULLI_API_KEY: apiKey },
    username: DEMO_USERNAME,
    password: DEMO_PASSWORD,
    summary: `${count('movie')} movies, ${count('show')} shows / ${count('episode')} episodes, ${count('album')} albums`,
    stop: async () => {
      await Promise.all([plex.close(), tautulli.close()]);
    },
  };
};
