/** Issue 9's targets, each judged on the measurements: met or missed, with the figure it rests on. */
import { fmt, growthExponent, verdict, type Verdict } from '../lib/stats';
import type { BundleReport } from './bundles';
import { TYPES, type SizeReport } from './library-size';
import type { NpmStartReport } from './npm-start';

export interface Measurements {
  sizes: SizeReport[];
  npmStart?: NpmStartReport;
  bundles?: BundleReport[];
  elapsedMs: number;
}

const LARGE = 100_000;
const MB = 1_000_000;

const libraryTargets = (s: SizeReport): Verdict[] => {
  const out: Verdict[] = [];
  const ratio = s.buildMs.total / s.floorMs.total;
  out.push(
    verdict(
      `cold build of ${s.items} items ≤ 2× floor`,
      `${fmt(s.buildMs.total)} ms = ${fmt(ratio, 2)}× ${fmt(s.floorMs.total)} ms`,
      ratio <= 2,
    ),
  );
  for (const t of TYPES)
    out.push(
      verdict(
        `cold build faster than naive (${t})`,
        `${fmt(s.buildMs[t])} vs ${fmt(s.naiveMs[t])} ms`,
        s.buildMs[t] < s.naiveMs[t],
      ),
    );
  for (const t of TYPES) {
    const w = s.warm[t];
    out.push(verdict(`warm unused in-process median ≤ 30 ms (${t})`, `${fmt(w.medianMs)} ms`, w.medianMs <= 30));
    const speedup = s.naiveMs[t] / w.medianMs;
    out.push(verdict(`warm unused ≥ 100× naive (${t})`, `${fmt(speedup)}×`, speedup >= 100));
  }
  const c10 = s.http.find((h) => h.connections === 10);
  if (c10)
    out.push(
      verdict(
        'warm unused over HTTP (node:http + handler) c=10 median ≤ 60 ms',
        `${fmt(c10.p50Ms)} ms`,
        c10.p50Ms <= 60 && c10.failures === 0,
      ),
    );
  const f = s.first;
  out.push(
    verdict(
      'first request on an unbuilt library ≤ 2 s (200 or 202), in-process',
      `${f.firstStatus} in ${fmt(f.firstMs)} ms`,
      f.firstMs <= 2000 && (f.firstStatus === 200 || f.firstStatus === 202),
    ),
  );
  out.push(
    verdict(
      'answerable within 2× the cold build, in-process',
      `${fmt(f.answerableMs)} ms vs 2 × ${fmt(s.buildMs.movie)} ms`,
      f.answerableMs <= 2 * s.buildMs.movie,
    ),
  );
  out.push(
    verdict(`peak RSS of a ${s.items}-item refresh ≤ 256 MB`, `${fmt(s.buildPeakRssMb)} MB`, s.buildPeakRssMb <= 256),
  );
  return out;
};

const npmStartTargets = (r: NpmStartReport, large: SizeReport | undefined): Verdict[] => {
  const out: Verdict[] = [];
  for (const t of TYPES) {
    const f = r.first[t];
    if (!f) continue;
    out.push(
      verdict(
        `npm start: first request on an unbuilt ${t} library ≤ 2 s (200 or 202)`,
        `${f.status} in ${fmt(f.ms)} ms`,
        f.ms <= 2000 && (f.status === 200 || f.status === 202),
      ),
    );
    const build = large?.buildMs[t] ?? Number.NaN;
    out.push(
      verdict(
        `npm start: ${t} library answerable within 2× the cold build`,
        f.answerableMs === null ? 'never (180 s cap)' : `${fmt(f.answerableMs)} ms vs 2 × ${fmt(build)} ms`,
        f.answerableMs !== null && f.answerableMs <= 2 * build,
      ),
    );
  }
  const c10 = r.http.find((h) => h.connections === 10);
  out.push(
    verdict(
      'npm start: warm unused over HTTP c=10 median ≤ 60 ms',
      c10 ? `${fmt(c10.p50Ms)} ms` : 'not measured',
      !!c10 && c10.p50Ms <= 60 && c10.failures === 0,
    ),
  );
  const serving = Object.entries(r.servingPeaksMb).sort((a, b) => b[1] - a[1])[0];
  out.push(
    verdict(
      'npm start: largest process ≤ 512 MB while serving 100k items',
      serving ? `${serving[0]} ${fmt(serving[1])} MB` : '–',
      !!serving && serving[1] <= 512,
    ),
  );
  return out;
};

const bundleTargets = (b: BundleReport[]): Verdict[] => {
  const largest = b.reduce((m, x) => (x.jsBytes > m.jsBytes ? x : m));
  const slowest = b.reduce((m, x) => (x.loadMs > m.loadMs ? x : m));
  const linked = b.filter((x) => x.linksMap).map((x) => x.fn);
  return [
    verdict(
      'every function ≤ 1 MB minified JS',
      `largest ${largest.fn} ${fmt(largest.jsBytes / MB, 2)} MB`,
      largest.jsBytes <= MB,
    ),
    verdict(
      'every function loads in ≤ 150 ms (fresh Node)',
      `slowest ${slowest.fn} ${fmt(slowest.loadMs)} ms`,
      slowest.loadMs <= 150,
    ),
    verdict(
      'source maps external (shipped, not loaded at start)',
      linked.length ? `linked in ${linked.join(', ')}` : 'external in every bundle',
      !linked.length && b.every((x) => x.mapBytes > 0),
    ),
  ];
};

export const judge = (m: Measurements): Verdict[] => {
  const large = m.sizes.find((s) => s.items === LARGE) ?? m.sizes.at(-1);
  const out: Verdict[] = large ? libraryTargets(large) : [];
  if (m.sizes.length >= 3) {
    const k = growthExponent(m.sizes.map((s) => ({ n: s.items, y: s.buildMs.total })));
    out.push(verdict('cold build grows no worse than linearly', `exponent ${fmt(k, 2)}`, k <= 1));
  }
  if (m.npmStart) out.push(...npmStartTargets(m.npmStart, large));
  if (m.bundles?.length) out.push(...bundleTargets(m.bundles));
  out.push(verdict('npm run bench < 10 min', `${fmt(m.elapsedMs / 60_000, 1)} min`, m.elapsedMs < 600_000));
  return out;
};
