/**
 * `npm run bench`: the large-library benchmark suite (never part of `npm test`).
 *
 *   npm run bench [-- --sizes=1000,10000,50000,100000 --reps=3 --warm-n=200 --http-seconds=3
 *                     --skip-npm-start --skip-bundles]
 *
 * Prints, per library size (half movies, half episodes), the floor, the cold
 * build, the naive path, warm `unused` in-process and over HTTP and the first
 * request on an unbuilt library; then `npm start` serving 100k items, the
 * Lambda bundles, and every target of issue 9 marked met or missed.
 * bench/README.md explains each figure. A JSON copy goes to bench/results/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureBundles, type BundleReport } from './parts/bundles';
import { measureSize, TYPES, type SizeReport } from './parts/library-size';
import { measureNpmStart, type NpmStartReport } from './parts/npm-start';
import { judge } from './parts/targets';
import { fmt, growthExponent, table } from './lib/stats';
import { startStore } from './lib/upstreams';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,50000,100000' },
    reps: { type: 'string', default: '3' },
    'warm-n': { type: 'string', default: '200' },
    'http-seconds': { type: 'string', default: '3' },
    'skip-npm-start': { type: 'boolean', default: false },
    'skip-bundles': { type: 'boolean', default: false },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);

const sizeTables = (sizes: SizeReport[]): string => {
  const cold = table(
    [
      'items',
      'floor ms',
      'floor MB',
      'build ms',
      '× floor',
      'movie build / naive ms',
      'show build / naive ms',
      'build peak RSS MB',
    ],
    sizes.map((s) => [
      String(s.items),
      fmt(s.floorMs.total),
      fmt(s.floorBytes / 1e6, 1),
      fmt(s.buildMs.total),
      fmt(s.buildMs.total / s.floorMs.total, 2),
      `${fmt(s.buildMs.movie)} / ${fmt(s.naiveMs.movie)}`,
      `${fmt(s.buildMs.show)} / ${fmt(s.naiveMs.show)}`,
      fmt(s.buildPeakRssMb),
    ]),
  );
  const warm = table(
    [
      'items',
      ...TYPES.map((t) => `${t} in-process p50 / p99 ms`),
      'HTTP c=1 p50/p99 ms, rps',
      'HTTP c=10',
      'HTTP c=50',
      '× naive (movie, show)',
    ],
    sizes.map((s) => [
      String(s.items),
      ...TYPES.map((t) => `${fmt(s.warm[t].medianMs)} / ${fmt(s.warm[t].p99Ms)}`),
      ...s.http.map(
        (h) => `${fmt(h.p50Ms)} / ${fmt(h.p99Ms)}, ${fmt(h.rps)}${h.failures ? ` (${h.failures} failed)` : ''}`,
      ),
      TYPES.map((t) => fmt(s.naiveMs[t] / s.warm[t].medianMs)).join(', '),
    ]),
  );
  const first = table(
    ['items', 'first request', 'answerable after ms', 'cold build (movie) ms'],
    sizes.map((s) => [
      String(s.items),
      `${s.first.firstStatus} in ${fmt(s.first.firstMs)} ms${s.first.retryAfter ? ` (Retry-After ${s.first.retryAfter})` : ''}`,
      fmt(s.first.answerableMs),
      fmt(s.buildMs.movie),
    ]),
  );
  const growth =
    `growth exponent (cost ∝ items^k, least squares over ${sizes.map((s) => s.items).join(', ')}): ` +
    `cold build k=${fmt(growthExponent(sizes.map((s) => ({ n: s.items, y: s.buildMs.total }))), 2)}, ` +
    `floor k=${fmt(growthExponent(sizes.map((s) => ({ n: s.items, y: s.floorMs.total }))), 2)}, ` +
    `naive k=${fmt(growthExponent(sizes.map((s) => ({ n: s.items, y: s.naiveMs.movie + s.naiveMs.show }))), 2)}, ` +
    `build peak RSS k=${fmt(growthExponent(sizes.map((s) => ({ n: s.items, y: s.buildPeakRssMb }))), 2)}`;
  const stages = sizes.at(-1)?.buildStages;
  const stageLines = stages
    ? `\nbuild stages at ${sizes.at(-1)?.items} items (ms): ${TYPES.map((t) => `${t} ${JSON.stringify(stages[t])}`).join('; ')}`
    : '';
  return `### Cold build\n\n${cold}\n\n### Warm unused (limit=100)\n\n${warm}\n\n### First request on an unbuilt library (in-process)\n\n${first}\n\n${growth}${stageLines}`;
};

const npmStartTable = (r: NpmStartReport): string => {
  const first = TYPES.map((t) => {
    const f = r.first[t];
    return f
      ? `${t}: first ${f.status} in ${fmt(f.ms)} ms, answerable after ${f.answerableMs === null ? 'never (180 s cap)' : `${fmt(f.answerableMs)} ms`}`
      : '';
  }).join('\n');
  const http = r.http.length
    ? table(
        ['concurrency', 'p50 ms', 'p99 ms', 'req/s', 'failed'],
        r.http.map((h) => [String(h.connections), fmt(h.p50Ms), fmt(h.p99Ms), fmt(h.rps), String(h.failures)]),
      )
    : '(not measured: the library never answered)';
  const peaks = table(
    ['process', 'peak RSS at start-up MB', 'peak RSS while serving MB'],
    [...new Set([...Object.keys(r.startupPeaksMb), ...Object.keys(r.servingPeaksMb)])].map((p) => [
      p,
      fmt(r.startupPeaksMb[p]),
      fmt(r.servingPeaksMb[p]),
    ]),
  );
  return `### npm start, 100k-item demo library\n\nup in ${fmt(r.startupMs)} ms\n${first}\n\n${http}\n\n${peaks}`;
};

const bundleTable = (b: BundleReport[]): string =>
  `### Lambda bundles\n\n${table(
    ['function', 'minified JS KB', 'source map KB', 'map linked', 'module load ms'],
    b.map((x) => [x.fn, fmt(x.jsBytes / 1000, 0), fmt(x.mapBytes / 1000, 0), x.linksMap ? 'yes' : 'no', fmt(x.loadMs)]),
  )}`;

const main = async () => {
  const started = performance.now();
  const sizes = values.sizes.split(',').map(Number);
  const opts = {
    reps: Number(values.reps),
    warmN: Number(values['warm-n']),
    httpSeconds: Number(values['http-seconds']),
    log,
  };
  const machine = `${cpus().length}× ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GB, node ${process.version}, load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
  log(`# plm benchmark, ${new Date().toISOString()}\n# ${machine}`);
  const store = await startStore();
  const reports: SizeReport[] = [];
  try {
    for (const n of sizes) {
      log(`measuring ${n} items…`);
      reports.push(await measureSize(n, store, opts));
    }
  } finally {
    await store.stop();
  }
  const npmStart = values['skip-npm-start'] ? undefined : await measureNpmStart({ httpSeconds: opts.httpSeconds, log });
  const bundles = values['skip-bundles'] ? undefined : await measureBundles(opts.reps);
  const elapsedMs = performance.now() - started;
  const verdicts = judge({ sizes: reports, npmStart, bundles, elapsedMs });
  const out = [
    `## plm benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    machine,
    sizeTables(reports),
    npmStart ? npmStartTable(npmStart) : '',
    bundles ? bundleTable(bundles) : '',
    `### Targets\n\n${table(
      ['target', 'measured', ''],
      verdicts.map((v) => [v.target, v.measured, v.met ? 'met' : 'MISSED']),
    )}`,
    `whole run: ${fmt(elapsedMs / 60_000, 1)} min`,
  ].filter(Boolean);
  console.log(out.join('\n\n'));
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify({ machine, sizes: reports, npmStart, bundles, verdicts, elapsedMs }, null, 2);
  writeFileSync(join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, 'latest.md'), `${out.join('\n\n')}\n`);
};

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
