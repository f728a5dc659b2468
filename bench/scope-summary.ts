/**
 * Warm latency of the watch scopes, the keep list and the summaries on one
 * 100k-item library: fake Plex/Tautulli over 100k movies (4 accounts) and the
 * embedded store on 127.0.0.1, in-process through the real Middy handlers like
 * bench/unused.ts. Each variant is called once to warm up (building the
 * snapshot, or a scope's order), then N times; prints median/p99 per variant.
 *
 *   npx tsx bench/scope-summary.ts [--n 200] [--movies 100000] [--keeps 100]
 */
import { parseArgs } from 'node:util';
import { benchSettings, percentile, runChild, startUpstreams } from './refresh';

const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    n: { type: 'string', default: '200' },
    movies: { type: 'string', default: '100000' },
    keeps: { type: 'string', default: '100' },
  },
});
const N = Math.max(1, Math.min(100_000, Number(values.n) || 200));
const KEEPS = Math.max(0, Number(values.keeps) || 0);

type Handler = 'unused' | 'librarySummary' | 'summary' | 'keepList';
interface Variant {
  name: string;
  handler: Handler;
  query?: Record<string, string>;
}

const VARIANTS: Variant[] = [
  { name: 'unused scope=anyone limit=100 (for comparison)', handler: 'unused', query: { limit: '100' } },
  { name: 'unused scope=owner limit=100', handler: 'unused', query: { scope: 'owner', limit: '100' } },
  { name: 'unused scope=user:2 limit=100', handler: 'unused', query: { scope: 'user:2', limit: '100' } },
  { name: 'unused scope=user:user3 limit=100', handler: 'unused', query: { scope: 'user:user3', limit: '100' } },
  {
    name: 'unused scope=others sort=size limit=100',
    handler: 'unused',
    query: { scope: 'others', sort: 'size', limit: '100' },
  },
  {
    name: 'unused scope=owner includeKept limit=100',
    handler: 'unused',
    query: { scope: 'owner', includeKept: 'true', limit: '100' },
  },
  { name: 'summary (30,90,180,365)', handler: 'librarySummary' },
  { name: 'summary scope=owner', handler: 'librarySummary', query: { scope: 'owner' } },
  { name: 'summary scope=user:2', handler: 'librarySummary', query: { scope: 'user:2' } },
  { name: 'GET /api/summary (all libraries)', handler: 'summary' },
  { name: `GET /api/keep (${KEEPS} keeps)`, handler: 'keepList' },
];

const summarize = (name: string, ms: number[], extra: Record<string, unknown>) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    variant: name,
    n: s.length,
    median_ms: +percentile(s, 50).toFixed(2),
    p99_ms: +percentile(s, 99).toFixed(2),
    ...extra,
  };
};

const child = async () => {
  const { setLibraryService } = await import('../lib/media/service');
  const { invoke } = await import('../dev/lambda');
  const { createUserAndLogin } = await import('../dev/users');
  const { closeDb, getDb } = await import('../lib/db/client');
  const { DEFAULT_NOW } = await import('../dev/fakes');
  const handlers: Record<Handler, unknown> = {
    unused: (await import('../functions/unused')).handler,
    librarySummary: (await import('../functions/library-summary')).handler,
    summary: (await import('../functions/summary')).handler,
    keepList: (await import('../functions/keep-list')).handler,
  };
  const keepPut = (await import('../functions/keep-put')).handler;
  // The generated library is dated relative to DEFAULT_NOW; judge it at that time.
  setLibraryService({ settings: benchSettings(600), now: () => DEFAULT_NOW * 1000 });
  const { token } = await createUserAndLogin();
  const id = '1';
  const call = (handler: unknown, query?: Record<string, string>, timeoutMs?: number) =>
    invoke(handler, { path: '/api/…', pathParameters: { id }, query, token }, timeoutMs);
  // Builds the snapshot (no Lambda deadline: a loaded machine may take longer than 29 s), and the
  // user keeps the KEEPS stalest items (they drop out of every answer below).
  const first = await call(handlers.unused, { limit: String(Math.max(1, KEEPS)) }, 600_000);
  if (first.statusCode !== 200) throw new Error(`warm-up: ${first.statusCode} ${first.body.slice(0, 200)}`);
  const { itemCount: items } = (await call(handlers.librarySummary)).json<{ itemCount: number }>();
  for (const item of first.json<Array<{ id: string }>>().slice(0, KEEPS)) {
    const r = await invoke(keepPut, { method: 'PUT', path: '/api/…', pathParameters: { id, itemId: item.id }, token });
    if (r.statusCode !== 201) throw new Error(`keep: ${r.statusCode} ${r.body.slice(0, 200)}`);
  }
  const results: unknown[] = [];
  for (const v of VARIANTS) {
    const t0 = performance.now();
    const warm = await call(handlers[v.handler], v.query); // builds a scope's order once per snapshot
    const firstMs = +(performance.now() - t0).toFixed(1);
    if (warm.statusCode !== 200) throw new Error(`${v.name}: ${warm.statusCode} ${warm.body.slice(0, 200)}`);
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const r = await call(handlers[v.handler], v.query);
      times.push(performance.now() - t);
      if (r.statusCode !== 200) throw new Error(`${v.name}: ${r.statusCode}`);
      if (v.handler !== 'summary' && v.handler !== 'keepList' && r.headers['x-cache'] !== 'hit')
        throw new Error(`${v.name}: expected a cache hit, got ${r.headers['x-cache']}`);
    }
    results.push(summarize(v.name, times, { first_call_ms: firstMs, body_kb: +(warm.body.length / 1024).toFixed(1) }));
  }
  await (await getDb()).dropDatabase();
  await closeDb();
  console.log(JSON.stringify({ items, results, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
};

const parent = async () => {
  const up = await startUpstreams({ movies: Number(values.movies), episodes: 0 });
  try {
    const r = await runChild(__filename, ['--n', String(N), '--keeps', String(KEEPS)], {
      ...up.env,
      MONGODB_DB: 'plm_bench_scope_summary',
    });
    console.log(
      `# warm scoped unused, summaries and keep list, in-process through the Middy handlers, n=${N} per variant; ` +
        `one library of ${values.movies} generated movies (${String(r.items)} judged, 4 accounts), ${KEEPS} of them kept`,
    );
    for (const row of r.results as unknown[]) console.log(JSON.stringify(row));
    console.log(JSON.stringify({ peak_rss_mb: r.peak_rss_mb }));
  } finally {
    await up.close();
  }
};

void (values.child ? child() : parent()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
