/**
 * Secrets never leave: every scenario of both clients runs with all output
 * captured (logger at DEBUG), and neither the token nor the API key may appear
 * in it, nor in any error message or details.
 */
import {
  generateLibrary,
  startFakePlex,
  startFakeTautulli,
  type FakePlex,
  type FakeTautulli,
} from '../../../dev/fakes';
import { PlexClient, PLEX_TYPE } from '../../../lib/plex';
import { TautulliClient } from '../../../lib/tautulli';
import { drain } from '../../helpers/async';
import { captureOutput } from '../../helpers/logs';

const TOKEN = 'PLEXTOKEN-sup3r-s3cret-value';
const KEY = 'TAUTULLIKEY0123456789abcdefSECRET';
const ds = generateLibrary({ seed: 3, movies: 30, episodes: 30 });

let plex: FakePlex;
let tautulli: FakeTautulli;
beforeAll(async () => {
  [plex, tautulli] = await Promise.all([startFakePlex(ds, { token: TOKEN }), startFakeTautulli(ds, { apiKey: KEY })]);
});
afterAll(() => Promise.all([plex.close(), tautulli.close()]));

it('neither the Plex token nor the Tautulli key appears in logs or errors', async () => {
  const opts = { timeoutMs: 200, retries: 1, concurrency: 2, pageSize: 5, retryBaseDelayMs: 1 };
  const p = new PlexClient({ baseUrl: plex.url, token: TOKEN, ...opts });
  const t = new TautulliClient({ baseUrl: tautulli.url, apiKey: KEY, ...opts });
  const errors: unknown[] = [];
  const attempt = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      errors.push(e);
    }
  };

  const { output } = await captureOutput(async () => {
    await attempt(() => drain(p.iterateSectionItems('1')));
    await attempt(() => drain(p.iterateSectionItems('2', { type: PLEX_TYPE.episode })));
    await attempt(() => drain(p.iterateHistory('2')));
    await attempt(async () => drain((await t.getLibraryMediaInfo('1')).pages));
    await attempt(() => new PlexClient({ baseUrl: plex.url, token: `${TOKEN}-wrong`, ...opts }).verify());
    await attempt(() => new TautulliClient({ baseUrl: tautulli.url, apiKey: `${KEY}-wrong`, ...opts }).verify());
    await attempt(() => p.getSectionSize('99'));
    await attempt(() => t.getLibraryMediaInfo('99'));
    for (const fake of [plex, tautulli]) {
      for (const fault of [
        { kind: 'status', status: 500 },
        { kind: 'hang' },
        { kind: 'malformed' },
        { kind: 'down' },
        { kind: 'truncated' },
      ] as const) {
        fake.setFault({ ...fault, times: 2 });
        await attempt(() => p.verify());
        await attempt(() => t.verify());
        fake.clearFaults();
      }
    }
  });

  expect(output.split('\n').filter((l) => l.includes('upstream call')).length).toBeGreaterThan(40); // we did capture the logs
  expect(errors.length).toBeGreaterThan(10);
  const everything = [
    output,
    ...errors.map((e) => `${String(e)} ${JSON.stringify(e)} ${(e as Error).stack ?? ''}`),
  ].join('\n');
  expect(everything).not.toContain(TOKEN);
  expect(everything).not.toContain(KEY);
  expect(everything).toContain('TAUTULLI_UNAUTHORIZED'); // sanity: the errors are there
});
