/** The library service of a benchmark child: the user's servers are the parent's fakes, judged at BENCH_NOW_S. */
import { resolvedSettings } from '../../dev/settings';
import { setLibraryService, type LibraryService } from '../../lib/media/service';
import { BENCH_NOW_S } from '../lib/clock';

const started = Date.now();
/** The bench clock: BENCH_NOW_S, moving with real time. */
export const benchNow = (): number => BENCH_NOW_S * 1000 + (Date.now() - started);

export const installBenchService = (): LibraryService =>
  setLibraryService({
    now: benchNow,
    settings: async () =>
      resolvedSettings(
        {
          plex: { url: process.env.PLEX_URL!, token: process.env.PLEX_TOKEN! },
          tautulli: { url: process.env.TAUTULLI_URL!, apiKey: process.env.TAUTULLI_API_KEY! },
        },
        { cacheTtlMinutes: 600 },
      ),
  });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
