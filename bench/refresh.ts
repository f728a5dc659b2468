/**
 * Cold refresh of a 100k-item library (50k movies + 50k episodes) from the
 * fake Plex + Tautulli into MongoDB, and the cold load back from MongoDB.
 * Each variant (snapshot chunk size) runs in its own child process so its
 * peak RSS is its own.
 *
 *   npx tsx bench/refresh.ts [--chunks 1000,5000,20000] [--movies N --episodes N]
 */
import { parseArgs } from 'node:util';
import { peakRssMb, runChild, startUpstreams } from './bench-env';

const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    chunk: { type: 'string', default: '5000' },
    chunks: { type: 'string', default: '1000,5000,20000' },
    movies: { type: 'string', default: '50000' },
    episodes: { type: 'string', default: '50000' },
  },
});

const child = async () => {
  const { setLibraryService, defaultDeps } = await import('../lib/media/library-service');
  const { SnapshotStore } = await import('../lib/media/snapshot-store');
  const { closeDb, getDb } = await import('../lib/db/client');
  const chunk = Number(values.chunk);
  const settings = async () => ({
    plex: { url: process.env.PLEX_URL!, token: process.env.PLEX_TOKEN! },
    tautulli: { url: process.env.TAUTULLI_URL!, apiKey: process.env.TAUTULLI_API_KEY! },
    defaultThresholdDays: 90,
    cacheTtlMinutes: 60,
    excludedLibraryIds: [],
    timezone: 'UTC',
  });
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
    console.log(`# cold refresh: ${values.movies} movies + ${values.episodes} episodes, fake Plex/Tautulli + ${process.env.MONGODB_URI ? 'MongoDB' : 'embedded store'} on 127.0.0.1`);
    for (const chunk of values.chunks.split(',')) {
      const r = await runChild(__filename, ['--chunk', chunk, '--movies', values.movies, '--episodes', values.episodes], { ...up.env, MONGODB_DB: `plm_bench_${chunk}` });
      console.log(JSON.stringify(r));
    }
  } finally {
    await up.close();
  }
};

void (values.child ? child() : parent()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
