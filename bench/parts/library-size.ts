/**
 * Everything measured at one library size: floor, cold build, naive path,
 * warm `unused` in-process and over HTTP, and the first request on an
 * unbuilt library. Timings are medians over `reps` fresh processes.
 */
import type { RecordedRequest } from '../../dev/fakes';
import { runTask, startTask } from '../lib/child-process';
import { load, waitReady, type LoadStats } from '../lib/load';
import { median } from '../lib/stats';
import { MOVIE_SECTION, SHOW_SECTION, startLibrary, type Store } from '../lib/upstreams';
import type { BuildResult } from '../tasks/build';
import type { FirstRequestResult } from '../tasks/first-request';
import type { FloorResult, ReplayRequest } from '../tasks/floor';
import type { WarmStats } from '../tasks/warm';

export const TYPES = ['movie', 'show'] as const;
export type LibraryType = (typeof TYPES)[number];
type PerType = Record<LibraryType, number>;

export interface SizeReport {
  items: number;
  floorMs: PerType & { total: number };
  floorBytes: number;
  buildMs: PerType & { total: number };
  buildStages?: Record<string, Record<string, number>>;
  buildPeakRssMb: number;
  naiveMs: PerType;
  warm: Record<LibraryType, WarmStats>;
  http: LoadStats[];
  httpServerPeakRssMb: number;
  first: FirstRequestResult;
}

export interface SizeOptions {
  reps: number;
  warmN: number;
  httpSeconds: number;
  log: (line: string) => void;
}

const SECTIONS = [
  { id: MOVIE_SECTION, type: 'movie' as const },
  { id: SHOW_SECTION, type: 'show' as const },
];

const replayable = (upstream: ReplayRequest['upstream'], requests: RecordedRequest[]): ReplayRequest[] =>
  requests.map((r) => ({ upstream, path: r.path, query: r.query }));

export const measureSize = async (items: number, store: Store, opts: SizeOptions): Promise<SizeReport> => {
  const lib = await startLibrary(items, store);
  try {
    const builds: BuildResult[] = [];
    const floors: FloorResult[] = [];
    for (let rep = 0; rep < opts.reps; rep++) {
      // Each build in a fresh process and database; the floor replays exactly its requests.
      const seen: Record<string, ReplayRequest[]> = {};
      let at = { plex: 0, tautulli: 0 };
      const build = await runTask<BuildResult>(
        'build',
        { sectionIds: SECTIONS.map((s) => s.id) },
        lib.env(),
        (name, type) => {
          if (name === 'build-start') at = { plex: lib.plex.requests.length, tautulli: lib.tautulli.requests.length };
          else
            seen[String(type)] = [
              ...replayable('plex', lib.plex.requests.slice(at.plex)),
              ...replayable('tautulli', lib.tautulli.requests.slice(at.tautulli)),
            ];
        },
      );
      builds.push(build);
      floors.push(await runTask<FloorResult>('floor', { groups: seen }, lib.env()));
      lib.plex.resetStats();
      lib.tautulli.resetStats();
      opts.log(
        `  ${items}: build ${TYPES.map((t) => `${t} ${Math.round(build.builds[t]?.ms ?? 0)} ms`).join(', ')}; ` +
          `floor ${TYPES.map((t) => `${t} ${Math.round(floors.at(-1)?.groups[t]?.ms ?? 0)} ms`).join(', ')}; peak RSS ${build.peakRssMb} MB`,
      );
    }
    const naive = await runTask<Record<LibraryType, number[]>>(
      'naive',
      { sections: SECTIONS, reps: opts.reps },
      lib.env(),
    );
    opts.log(`  ${items}: naive ${TYPES.map((t) => `${t} ${Math.round(median(naive[t]))} ms`).join(', ')}`);
    const warm = await runTask<Record<LibraryType, WarmStats>>(
      'warm',
      { sections: SECTIONS, n: opts.warmN },
      lib.env(),
    );
    const http = await measureHttp(lib.env(), opts);
    const first = await runTask<FirstRequestResult>('first-request', { sectionId: MOVIE_SECTION }, lib.env());
    lib.plex.resetStats();
    lib.tautulli.resetStats();
    const per = (f: (t: LibraryType) => number) => ({ movie: f('movie'), show: f('show') });
    const buildMs = per((t) => median(builds.map((b) => b.builds[t]?.ms ?? Number.NaN)));
    const floorMs = per((t) => median(floors.map((f) => f.groups[t]?.ms ?? Number.NaN)));
    const stages = builds.at(-1)?.builds;
    return {
      items,
      floorMs: { ...floorMs, total: median(floors.map((f) => TYPES.reduce((s, t) => s + (f.groups[t]?.ms ?? 0), 0))) },
      floorBytes: TYPES.reduce((s, t) => s + (floors[0]?.groups[t]?.bytes ?? 0), 0),
      buildMs: { ...buildMs, total: median(builds.map((b) => TYPES.reduce((s, t) => s + (b.builds[t]?.ms ?? 0), 0))) },
      ...(stages?.movie?.stages
        ? { buildStages: Object.fromEntries(TYPES.map((t) => [t, stages[t]?.stages ?? {}])) }
        : {}),
      buildPeakRssMb: median(builds.map((b) => b.peakRssMb)),
      naiveMs: per((t) => median(naive[t])),
      warm,
      http: http.stats,
      httpServerPeakRssMb: http.peakRssMb,
      first,
    };
  } finally {
    await lib.close();
  }
};

/** The movie library's first page over HTTP at concurrency 1, 10 and 50. */
const measureHttp = async (
  env: Record<string, string>,
  opts: SizeOptions,
): Promise<{ stats: LoadStats[]; peakRssMb: number }> => {
  type Listening = { port: number; token: string };
  let onListening: (l: Listening) => void = () => undefined;
  const ready = new Promise<Listening>((r) => {
    onListening = r;
  });
  const server = startTask<{ peakRssMb: number }>('http-server', {}, env, (name, data) => {
    if (name === 'listening') onListening(data as Listening);
  });
  const listening = await Promise.race([
    ready,
    server.result.then((): Listening => {
      throw new Error('the HTTP server ended before listening');
    }),
  ]);
  const url = `http://127.0.0.1:${listening.port}/api/library/${MOVIE_SECTION}/unused?limit=100`;
  await waitReady(url, listening.token);
  const stats: LoadStats[] = [];
  for (const c of [1, 10, 50]) stats.push(await load(url, listening.token, c, opts.httpSeconds));
  server.stop();
  const { peakRssMb } = await server.result;
  return { stats, peakRssMb };
};
