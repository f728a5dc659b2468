/**
 * Warm `GET /api/library/{id}/unused` latency.
 *
 * In-process (default): fake Plex/Tautulli over 50k movies + 50k episodes and
 * the embedded store on 127.0.0.1, one warm-up request, then N requests
 * through the real Middy handler; prints median/p99 per variant.
 *   npx tsx bench/unused.ts [--n 200]
 *
 * Over HTTP (e.g. serverless-offline): a bounded loop against a running API.
 *   npx tsx bench/unused.ts --url http://127.0.0.1:3001/api/library/1/unused --token <JWT> [--n 200] [--concurrency 1]
 */
import { parseArgs } from 'node:util';
import { benchSettings, percentile, runChild, startUpstreams } from './refresh';

const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    n: { type: 'string', default: '200' },
    url: { type: 'string' },
    token: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
  },
});
const N = Math.max(1, Math.min(100_000, Number(values.n) || 200));

const summarize = (name: string, ms: number[], extra: Record<string, unknown> = {}) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    variant: name,
    n: s.length,
    median_ms: +percentile(s, 50).toFixed(2),
    p99_ms: +percentile(s, 99).toFixed(2),
    ...extra,
  };
};

const VARIANTS: Array<{ name: string; id: string; query: Record<string, string>; headers?: Record<string, string> }> = [
  { name: 'movies limit=100 (first page)', id: '1', query: { threshold: '90', limit: '100' } },
  { name: 'movies sort=size limit=100', id: '1', query: { threshold: '90', sort: 'size', limit: '100' } },
  { name: 'movies limit=10000 JSON (uncompressed)', id: '1', query: { threshold: '90', limit: '10000' } },
  // The whole list is ~8 MB of JSON: over Lambda's 6 MB cap uncompressed (406 RESPONSE_TOO_LARGE), so gzip.
  { name: 'movies full list JSON gzip', id: '1', query: { threshold: '90' }, headers: { 'accept-encoding': 'gzip' } },
  {
    name: 'movies full list CSV gzip',
    id: '1',
    query: { threshold: '90', format: 'csv' },
    headers: { 'accept-encoding': 'gzip' },
  },
  { name: 'shows full list JSON', id: '2', query: { threshold: '90' } },
];

const child = async () => {
  const { setLibraryService } = await import('../lib/media/service');
  const { handler } = await import('../functions/unused');
  const { invoke } = await import('../dev/lambda');
  const { createUserAndLogin } = await import('../dev/users');
  const { closeDb, getDb } = await import('../lib/db/client');
  const settings = benchSettings(600);
  const { DEFAULT_NOW } = await import('../dev/fakes');
  // The generated library is dated relative to DEFAULT_NOW; judge it at that time.
  setLibraryService({ settings, now: () => DEFAULT_NOW * 1000 });
  const { token } = await createUserAndLogin();
  const results: unknown[] = [];
  for (const v of VARIANTS) {
    const call = () =>
      invoke(handler, {
        path: `/api/library/${v.id}/unused`,
        pathParameters: { id: v.id },
        query: v.query,
        token,
        headers: v.headers,
      });
    const first = await call(); // warm-up: builds or loads the snapshot
    if (first.statusCode !== 200) throw new Error(`${v.name}: ${first.statusCode} ${first.body.slice(0, 200)}`);
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const r = await call();
      times.push(performance.now() - t);
      bytes = r.body.length;
      if (r.headers['x-cache'] !== 'hit')
        throw new Error(`${v.name}: expected a cache hit, got ${r.headers['x-cache']}`);
    }
    results.push(
      summarize(v.name, times, { items: Number(first.headers['x-total-count']), body_kb: Math.round(bytes / 1024) }),
    );
  }
  await (await getDb()).dropDatabase();
  await closeDb();
  console.log(JSON.stringify({ results, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
  process.exit(0);
};

const overHttp = async (url: string, token: string) => {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost')
    throw new Error('bench/unused.ts only talks to 127.0.0.1/localhost');
  const concurrency = Math.max(1, Math.min(64, Number(values.concurrency) || 1));
  const times: number[] = [];
  let next = 0;
  let status = 0;
  let cache = '';
  const worker = async () => {
    while (next < N) {
      next++;
      const t = performance.now();
      const res = await fetch(u, { headers: { authorization: `Bearer ${token}`, 'accept-encoding': 'gzip' } });
      await res.arrayBuffer();
      times.push(performance.now() - t);
      status = res.status;
      cache = res.headers.get('x-cache') ?? '';
    }
  };
  await fetch(u, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.arrayBuffer()); // warm-up
  await Promise.all(Array.from({ length: concurrency }, worker));
  console.log(
    JSON.stringify(
      summarize(`HTTP ${u.pathname}${u.search} c=${concurrency}`, times, { last_status: status, last_x_cache: cache }),
    ),
  );
};

const parent = async () => {
  if (values.url) {
    if (!values.token) throw new Error('--token is required with --url');
    return overHttp(values.url, values.token);
  }
  const up = await startUpstreams();
  try {
    console.log(
      `# warm unused, in-process through the Middy handler, n=${N} per variant (100k items: 50k movies + 50k episodes)`,
    );
    const r = await runChild(__filename, ['--n', String(N)], { ...up.env, MONGODB_DB: 'plm_bench_unused' });
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
