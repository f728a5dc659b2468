/**
 * Shared set-up of the media integration tests: fake Plex + fake Tautulli on
 * 127.0.0.1 over a hand-built dataset, the env defaults pointing at them, and
 * the library service installed with a fixed clock and fast clients.
 */
import { handler as unusedHandler } from '../../functions/unused';
import { resetConfig } from '../../lib/config';
import { setLibraryService, type LibraryService, type LibraryServiceDeps } from '../../lib/media/service';
import type { ResolvedSettings } from '../../lib/settings/resolve';
import { PlexClient } from '../../lib/plex';
import { TautulliClient } from '../../lib/tautulli';
import { startFakePlex, startFakeTautulli, type FakeDataset, type FakePlex, type FakeTautulli } from '../../dev/fakes';
import { invoke, type InvokeResult } from '../../dev/lambda';
import { resolvedSettings } from '../../dev/settings';

export const PLEX_TOKEN = 'plex-token-owner-0123456789';
export const TAUTULLI_KEY = 'tautulli0123456789abcdef01234567';
export const DAY = 86_400;

export interface MediaFixture {
  plex: FakePlex;
  tautulli: FakeTautulli;
  clock: { nowMs: number };
  service: LibraryService;
  install(overrides?: Partial<LibraryServiceDeps>): LibraryService;
  /** A user's resolved settings pointing at this fixture's fakes (no Tautulli when started without it), with default rules. */
  settings(overrides?: Partial<ResolvedSettings>): ResolvedSettings;
  close(): Promise<void>;
}

/** GET /api/library/{id}/unused through the real handler, as API Gateway routes it. */
export const getUnused = (
  token: string,
  id: string,
  query: Record<string, string> = {},
  headers?: Record<string, string>,
): Promise<InvokeResult> =>
  invoke(unusedHandler, {
    path: `/api/library/${id}/unused`,
    routeKey: 'GET /api/library/{id}/unused',
    pathParameters: { id },
    query,
    token,
    headers,
  });

export const fastPlex = (url: string, token: string) =>
  new PlexClient({
    baseUrl: url,
    token,
    timeoutMs: 1500,
    retries: 0,
    concurrency: 4,
    pageSize: 3,
    retryBaseDelayMs: 1,
  });
export const fastTautulli = (url: string, apiKey: string) =>
  new TautulliClient({
    baseUrl: url,
    apiKey,
    timeoutMs: 1500,
    retries: 0,
    concurrency: 4,
    pageSize: 4,
    retryBaseDelayMs: 1,
  });

export const startMediaFixture = async (
  ds: FakeDataset,
  opts: { tautulli?: boolean; sharedTokens?: Record<string, number> } = {},
): Promise<MediaFixture> => {
  const plex = await startFakePlex(ds, { token: PLEX_TOKEN, sharedTokens: opts.sharedTokens });
  const tautulli = await startFakeTautulli(ds, { apiKey: TAUTULLI_KEY });
  process.env.PLEX_URL = plex.url;
  process.env.PLEX_TOKEN = PLEX_TOKEN;
  if (opts.tautulli !== false) {
    process.env.TAUTULLI_URL = tautulli.url;
    process.env.TAUTULLI_API_KEY = TAUTULLI_KEY;
  }
  resetConfig();
  const clock = { nowMs: ds.now * 1000 };
  const fixture: MediaFixture = {
    plex,
    tautulli,
    clock,
    service: undefined as unknown as LibraryService,
    install: (overrides = {}) => {
      fixture.service = setLibraryService({
        now: () => clock.nowMs,
        plexClient: (c) => fastPlex(c.url, c.token),
        tautulliClient: (c) => fastTautulli(c.url, c.apiKey),
        leaseWaitMs: 2_000,
        backgroundRefresh: true,
        // Requests wait for their builds here; the 202 tests shorten this.
        buildWaitMs: 30_000,
        ...overrides,
      });
      return fixture.service;
    },
    settings: (overrides = {}) =>
      resolvedSettings(
        {
          plex: { url: plex.url, token: PLEX_TOKEN },
          tautulli: opts.tautulli === false ? null : { url: tautulli.url, apiKey: TAUTULLI_KEY },
        },
        overrides,
      ),
    close: async () => {
      await Promise.all([plex.close(), tautulli.close()]);
      for (const name of ['PLEX_URL', 'PLEX_TOKEN', 'TAUTULLI_URL', 'TAUTULLI_API_KEY']) delete process.env[name];
      resetConfig();
    },
  };
  fixture.install();
  return fixture;
};
