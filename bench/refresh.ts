/**
 * Cold refresh of a 100k-item library (50k movies + 50k episodes) from the
 * fake Plex + Tautulli into MongoDB, and the cold load back from MongoDB.
 * Each variant (snapshot chunk size) runs in its own child process so its
 * peak RSS is its own.
 *
 *   npx tsx bench/refresh.ts [--chunks 1000,5000,20000] [--movies N --episodes N]
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { generateLibrary, startFakePlex, startFakeTautulli } from '../dev/fakes';
import { spawnEmbeddedMongo } from '../dev/embedded-mongo/spawn';
import { resolvedSettings } from '../dev/settings';

// Shared with bench/unused.ts: upstreams on 127.0.0.1 and a child-process runner reporting peak RSS.

export const PLEX_TOKEN = 'bench-plex-token';
export const TAUTULLI_KEY = 'bench-tautulli-key-0123456789abcd';

export interface BenchUpstreams {
  env: Record<string, string>;
  close(): Promise<void>;
}

export const startUpstreams = async (opts: { movies?: number; episodes?: number } = {}): Promise<BenchUpstreams> => {
  const dataset = generateLibrary({
    movies: opts.movies ?? 50_000,
    episodes: opts.episodes ?? 50_000,
    artists: 0,
    photos: 0,
  });
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
      await mongo?.stop();
    },
  };
};

/** Runs `script --child <args>` in a fresh Node (so its peak RSS is its own) and parses its last JSON line. */
export const runChild = (
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<Record<string, unknown>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, '--child', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
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

/** Settings of the bench user: the child's env points at the parent's fake upstreams. */
export const benchSettings = (cacheTtlMinutes: number) => async () =>
  resolvedSettings(
    {
      plex: { url: process.env.PLEX_URL!, token: process.env.PLEX_TOKEN! },
      tautulli: { url: process.env.TAUTULLI_URL!, apiKey: process.env.TAUTULLI_API_KEY! },
    },
    { cacheTtlMinutes },
  );

export const peakRssMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

// Parsed only when run directly: bench/unused.ts imports this file with its own arguments.
const readArgs = () =>
  parseArgs({
    options: {
      child: { type: 'boolean', default: false },
      chunk: { type: 'string', default: '5000' },
      chunks: { type: 'string', default: '1000,5000,20000' },
      movies: { type: 'string', default: '50000' },
      episodes: { type: 'string', default: '50000' },
    },
  }).values;
let values!: ReturnType<typeof readArgs>;

const child = async () => {
  const { setLibraryService } = await import('../lib/media/service');
  const { SnapshotStore } = await import('../lib/media/store/snapshot-store');
  const { closeDb, getDb } = await import('../lib/db/client');
  const chunk = Number(values.chunk);
  const settings = benchSettings(60);
  const db = await getDb();
  await db.collection('media_snapshot_heads').deleteMany({});
  await db.collection('media_snapshot_chunks').deleteMany({});
  const service = setLibraryService({ settings, store: new SnapshotStore(getDb, chunk) });
  const ctx = await service.userContext('bench');
  const out: Record<string, unknown> = { chunkItems: chunk };
  let bytes = 0;
  const t0 = performance.now();
  for (const id of ['1', '2']) {
    const section = ctx.access.sections.find((s) => s.id === id)!;
    const started = performance.now();
    const snap = await service.refresh(ctx, section);
    out[`refresh_${section.type}_ms`] = Math.round(performance.now() - started);
    out[`${section.type}_items`] = snap.meta.itemCount;
    bytes += snap.meta.encodedBytes;
  }
  out.refresh_total_ms = Math.round(performance.now() - t0);
  out.stored_mb = +(bytes / 1e6).toFixed(1);
  // Cold load: a new container (empty memory) reading both snapshots from MongoDB.
  const cold = setLibraryService({ settings, store: new SnapshotStore(getDb, chunk) });
  const ctx2 = await cold.userContext('bench');
  const l0 = performance.now();
  for (const id of ['1', '2']) await cold.snapshotFor(ctx2, ctx2.access.sections.find((s) => s.id === id)!);
  out.cold_load_from_mongo_ms = Math.round(performance.now() - l0);
  out.peak_rss_mb = peakRssMb();
  await closeDb();
  console.log(JSON.stringify(out));
  process.exit(0);
};

const parent = async () => {
  const up = await startUpstreams({ movies: Number(values.movies), episodes: Number(values.episodes) });
  try {
    console.log(
      `# cold refresh: ${values.movies} movies + ${values.episodes} episodes, fake Plex/Tautulli + ${process.env.MONGODB_URI ? 'MongoDB' : 'embedded store'} on 127.0.0.1`,
    );
    for (const chunk of values.chunks.split(',')) {
      const r = await runChild(
        __filename,
        ['--chunk', chunk, '--movies', values.movies, '--episodes', values.episodes],
        { ...up.env, MONGODB_DB: `plm_bench_${chunk}` },
      );
      console.log(JSON.stringify(r));
    }
  } finally {
    await up.close();
  }
};

if (require.main === module) {
  values = readArgs();
  void (values.child ? child() : parent()).catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
