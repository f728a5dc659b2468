/**
 * Benchmark: read a 100k-item library (50k movies + 50k episodes of a show
 * section) from the fake Plex, paged with PlexClient (configured page size and
 * concurrency) versus one unpaged request per listing (fetch + JSON.parse).
 *
 *   npx tsx bench/plex-read.ts [--movies=50000] [--episodes=50000] [--latency=0]
 *
 * The fake server lives in this (parent) process; every variant runs in its own
 * child process so its peak RSS/heap is its own. Peak RSS is the kernel's
 * maxRSS; peak heap is sampled every 5 ms.
 */
import { fork } from 'node:child_process';
import { getConfig } from '../lib/config';
import { PLEX_TYPE, PlexClient } from '../lib/plex';
import { generateLibrary, startFakePlex } from '../dev/fakes';

const TOKEN = 'bench-token';
const MB = 1024 * 1024;

type Variant = 'paged' | 'paged-c1' | 'paged-retain' | 'unpaged';
interface Result {
  variant: Variant;
  items: number;
  bytes: number;
  ms: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
  pageSize: number | null;
  concurrency: number | null;
}

const arg = (name: string, def: number): number => {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : def;
};

/** Reads both listings in the child and reports back. */
const child = async (variant: Variant, url: string): Promise<Result> => {
  const cfg = getConfig();
  let peakHeap = process.memoryUsage().heapUsed;
  // Sampled on a timer AND right after each big allocation (a synchronous JSON.parse would hide from the timer).
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const sampler = setInterval(sample, 5);
  const baselineRss = process.memoryUsage().rss;
  const t0 = performance.now();
  let items = 0;
  let bytes = 0;
  const listings: Array<{ section: string; type?: number }> = [
    { section: '1' },
    { section: '2', type: PLEX_TYPE.episode },
  ];
  let pageSize: number | null = null;
  let concurrency: number | null = null;

  if (variant === 'unpaged') {
    for (const l of listings) {
      const res = await fetch(`${url}/library/sections/${l.section}/all${l.type ? `?type=${l.type}` : ''}`, {
        headers: { 'X-Plex-Token': TOKEN, Accept: 'application/json' },
      });
      const text = await res.text();
      sample();
      const body = JSON.parse(text) as {
        MediaContainer: { Metadata?: Array<{ Media?: Array<{ Part?: Array<{ size?: number }> }> }> };
      };
      sample();
      for (const m of body.MediaContainer.Metadata ?? []) {
        items++;
        for (const media of m.Media ?? []) for (const p of media.Part ?? []) bytes += p.size ?? 0;
      }
    }
  } else {
    pageSize = cfg.PLEX_PAGE_SIZE;
    concurrency = variant === 'paged-c1' ? 1 : cfg.UPSTREAM_CONCURRENCY;
    const client = new PlexClient({
      baseUrl: url,
      token: TOKEN,
      pageSize,
      concurrency,
      timeoutMs: cfg.UPSTREAM_TIMEOUT_MS,
      retries: cfg.UPSTREAM_RETRIES,
    });
    const kept: unknown[] = [];
    for (const l of listings) {
      for await (const page of client.iterateSectionItems(l.section, { type: l.type })) {
        sample();
        items += page.length;
        for (const item of page) bytes += item.sizeBytes;
        if (variant === 'paged-retain') kept.push(...page); // what a caller that collects everything costs
      }
    }
    if (kept.length !== items && variant === 'paged-retain') throw new Error('retain mismatch');
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return {
    variant,
    items,
    bytes,
    ms: Math.round(ms),
    baselineRssMb: Math.round(baselineRss / MB),
    peakRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / MB),
    peakHeapMb: Math.round(peakHeap / MB),
    pageSize,
    concurrency,
  };
};

const runChild = (variant: Variant, url: string): Promise<Result> =>
  new Promise((resolve, reject) => {
    // fork() reuses this process's execArgv, i.e. tsx's loader.
    const cp = fork(__filename, ['--child', variant, url], { env: { ...process.env, LOG_LEVEL: 'WARN' } });
    cp.once('message', (m) => resolve(m as Result));
    cp.once('error', reject);
    cp.once('exit', (code) => code !== 0 && reject(new Error(`${variant} exited with ${code}`)));
  });

const main = async () => {
  if (process.argv[2] === '--child') {
    const result = await child(process.argv[3] as Variant, process.argv[4] ?? '');
    process.send?.(result, () => process.exit(0));
    return;
  }
  const movies = arg('movies', 50_000);
  const episodes = arg('episodes', 50_000);
  let t = performance.now();
  const dataset = generateLibrary({ seed: 1, movies, episodes, artists: 0, photos: 0, deletions: false });
  const genMs = Math.round(performance.now() - t);
  const plex = await startFakePlex(dataset, { token: TOKEN, latencyMs: arg('latency', 0) || undefined });
  console.log(
    `dataset: ${dataset.items.length} items generated in ${genMs} ms (${movies} movies, ${episodes} episodes + their shows/seasons)`,
  );
  console.log(
    `node ${process.version}, fake Plex in the parent process at ${plex.url}, latency ${arg('latency', 0)} ms/request`,
  );
  const results: Result[] = [];
  try {
    for (const variant of ['paged', 'paged-c1', 'paged-retain', 'unpaged'] as const) {
      t = performance.now();
      plex.resetStats();
      const r = await runChild(variant, plex.url);
      results.push(r);
      console.log(`  ${variant}: done (${plex.requests.length} requests, max ${plex.maxInFlight} in flight)`);
    }
  } finally {
    await plex.close();
  }
  const header = [
    'variant',
    'page size',
    'concurrency',
    'items',
    'time ms',
    'peak RSS MB',
    'RSS before MB',
    'peak heap MB',
  ];
  const rows = results.map((r) =>
    [
      r.variant,
      r.pageSize ?? 'none',
      r.concurrency ?? 1,
      r.items,
      r.ms,
      r.peakRssMb,
      r.baselineRssMb,
      r.peakHeapMb,
    ].map(String),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i] ?? 0)).join(' | ')} |`;
  console.log(['', line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n'));
  const sizes = new Set(results.map((r) => `${r.items}/${r.bytes}`));
  if (sizes.size !== 1) console.log(`WARNING: variants disagree on items/bytes: ${[...sizes].join(', ')}`);
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
