/**
 * Shared bench plumbing: the embedded store (or MONGODB_URI), fake Plex and
 * Tautulli over a generated 100k-item library (50k movies + 50k episodes),
 * all on 127.0.0.1, plus a child-process runner that reports peak RSS.
 */
import { spawn } from 'node:child_process';
import { spawnEmbeddedMongo } from '../tests/helpers/embedded-mongo-process';
import { generateLibrary, startFakePlex, startFakeTautulli } from '../tests/fakes';

export const PLEX_TOKEN = 'bench-plex-token';
export const TAUTULLI_KEY = 'bench-tautulli-key-0123456789abcd';

export interface BenchUpstreams {
  env: Record<string, string>;
  close(): Promise<void>;
}

export const startUpstreams = async (opts: { movies?: number; episodes?: number } = {}): Promise<BenchUpstreams> => {
  const dataset = generateLibrary({ movies: opts.movies ?? 50_000, episodes: opts.episodes ?? 50_000, artists: 0, photos: 0 });
  const plex = await startFakePlex(dataset, { token: PLEX_TOKEN });
  const tautulli = await startFakeTautulli(dataset, { apiKey: TAUTULLI_KEY });
  const mongo = process.env.MONGODB_URI ? undefined : await spawnEmbeddedMongo();
  return {
    env: {
      MONGODB_URI: process.env.MONGODB_URI ?? mongo!.uri,
      PLEX_URL: plex.url,
      PLEX_TOKEN,
      TAUTULLI_URL: tautulli.url,
      TAUTULLI_API_KEY: TAUTULLI_KEY,
      NODE_ENV: 'development',
      LOG_LEVEL: 'ERROR',
    },
    close: async () => {
      await Promise.all([plex.close(), tautulli.close()]);
      mongo?.child.kill('SIGTERM');
    },
  };
};

/** Runs `script --child <args>` in a fresh Node (so its peak RSS is its own) and parses its last JSON line. */
export const runChild = (script: string, args: string[], env: Record<string, string>): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--child', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as Record<string, unknown>);
      } catch (e) {
        reject(new Error(`child ${args.join(' ')} failed (${String(e)}): ${out.slice(-500)}`));
      }
    });
  });

export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
