/**
 * Where a cold build's time goes: one build child under `node --cpu-prof`
 * against a library of `--items`, then the profile summed by self time per
 * function and per area (zod, JSON.parse, the driver, plm's own modules…).
 *
 *   npm run bench:profile [-- --items=100000 --top=25]
 *
 * The .cpuprofile stays in bench/results/ (open it in Chrome DevTools).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTask } from './lib/child-process';
import { fmt, table } from './lib/stats';
import { MOVIE_SECTION, SHOW_SECTION, startLibrary, startStore } from './lib/upstreams';
import type { BuildResult } from './tasks/build';

const { values } = parseArgs({
  options: { items: { type: 'string', default: '100000' }, top: { type: 'string', default: '25' } },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The child is one esbuild bundle: its `// path` comments say which source module each line came from. */
const moduleIndex = (bundle: string): Array<{ line: number; path: string }> =>
  readFileSync(bundle, 'utf8')
    .split('\n')
    .flatMap((text, line) => {
      const m = /^\/\/ (\S+\.[cm]?[jt]s)$/.exec(text);
      return m?.[1] ? [{ line, path: m[1] }] : [];
    });

const moduleAt = (index: Array<{ line: number; path: string }>, line: number): string => {
  let lo = 0;
  let hi = index.length - 1;
  let found = '?';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = index[mid]!;
    if (e.line <= line) {
      found = e.path;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
};

/** An area: a package, a plm module, a Node internal module, or what V8 calls the time (GC, idle). */
const areaOf = (url: string, fn: string, source: string): string => {
  if (!url) return fn.startsWith('(') ? fn : `native ${fn}`;
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];
  return pkg ?? source;
};

const summarise = (p: Profile, top: number): string => {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000);
  });
  const bundle = p.nodes.find((n) => n.callFrame.url.endsWith('child.js'))?.callFrame.url.replace('file://', '');
  const index = bundle ? moduleIndex(bundle) : [];
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  let total = 0;
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    total += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const source = url.endsWith('child.js') ? moduleAt(index, lineNumber) : url;
    const key = `${functionName || '(anonymous)'} ${source}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
    const area = areaOf(url, functionName, source);
    byArea.set(area, (byArea.get(area) ?? 0) + ms);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => [k, fmt(ms), fmt((100 * ms) / total, 1)]);
  return `${table(['area', 'self ms', '%'], rows(byArea))}\n\n${table(['function', 'self ms', '%'], rows(byFn))}`;
};

const main = async () => {
  const dir = join(__dirname, 'results', `profile-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  process.env.BENCH_CPU_PROF = dir;
  const store = await startStore();
  const lib = await startLibrary(Number(values.items), store);
  try {
    const r = await runTask<BuildResult>('build', { sectionIds: [MOVIE_SECTION, SHOW_SECTION] }, lib.env());
    console.log(JSON.stringify(r));
  } finally {
    await lib.close();
    await store.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  console.log(`${join(dir, file)}\n`);
  console.log(summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, Number(values.top)));
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
