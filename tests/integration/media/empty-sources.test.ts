import { getDb } from '../../../lib/db/client';
import { MediaCollections } from '../../../lib/media/store/collections';
import type { MediaItem } from '../../../lib/media/types';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import { generateLibrary, type Fault } from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import { PLEX_TOKEN, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * The one defect that can cost a user their files: an upstream that answers
 * 200 with no rows must never read as "nobody watched". Each case injects a
 * plausible-looking empty answer and checks that no item is listed as unused
 * that the healthy answer does not list (the answer may instead be an error or
 * the last good snapshot flagged stale), and that a snapshot built on a
 * degraded source does not outlive the degradation.
 */
const ds = generateLibrary({
  seed: 7,
  movies: 240,
  episodes: 600,
  artists: 6,
  albumsPerArtist: 2,
  tracksPerAlbum: 4,
  photos: 0,
  accounts: 4,
  deletions: false,
});
const SHARED_TOKEN = 'plex-token-of-user2-shared-7';
const sectionOf = (type: string) => ds.sections.find((s) => s.type === type)!.id;
const MOVIES = sectionOf('movie');
const SHOWS = sectionOf('show');
const MUSIC = sectionOf('artist');
const SECTIONS = [MOVIES, SHOWS, MUSIC];

const EMPTY_HISTORY = JSON.stringify({ MediaContainer: { size: 0, totalSize: 0, offset: 0 } });
const EMPTY_LISTING = EMPTY_HISTORY;
const EMPTY_MEDIA_INFO = JSON.stringify({
  response: {
    result: 'success',
    message: null,
    data: {
      recordsFiltered: 0,
      recordsTotal: 0,
      draw: 1,
      data: [],
      filtered_file_size: 0,
      total_file_size: 0,
      last_refreshed: null,
    },
  },
});

const historyEmpty: Fault = {
  kind: 'status',
  status: 200,
  path: '/status/sessions/history/all',
  body: EMPTY_HISTORY,
  contentType: 'application/json',
};
const mediaInfoEmpty: Fault = {
  kind: 'status',
  status: 200,
  cmd: 'get_library_media_info',
  body: EMPTY_MEDIA_INFO,
  contentType: 'application/json',
};
const tautulliDown: Fault = { kind: 'status', status: 500 };
const leavesEmpty: Fault = {
  kind: 'status',
  status: 200,
  body: EMPTY_LISTING,
  contentType: 'application/json',
  match: (r) => r.path.endsWith('/all') && (r.query.type === '4' || r.query.type === '10'),
};

let fx: MediaFixture;
let token: string;
let plexToken = PLEX_TOKEN;
/** The healthy answer per token and section (a non-owner token's rests on Tautulli, so it may differ). */
let healthy: Map<string, Set<string>>;
const key = (tok: string, section: string) => `${tok}|${section}`;

const settings = async (): Promise<ResolvedSettings> => fx.settings({ plex: { url: fx.plex.url, token: plexToken } });

/** A short threshold, so that every library type has unused items to get wrong. */
const THRESHOLD = '21';
const unusedIds = async (section: string, query: Record<string, string> = {}) => {
  const res = await getUnused(token, section, { threshold: THRESHOLD, ...query });
  const ids = res.statusCode === 200 ? new Set(res.json<MediaItem[]>().map((i) => i.id)) : null;
  return { res, ids };
};

/** Items the answer lists as unused that the healthy answer does not. */
const extraOver = (section: string, ids: Set<string>) =>
  [...ids].filter((id) => !healthy.get(key(plexToken, section))!.has(id));

const fresh = () => {
  fx.plex.clearFaults();
  fx.tautulli.clearFaults();
  // Every case forces refreshes; the per-user budget on them is another test's subject.
  fx.install({ settings, limitUpstream: async () => undefined });
};

beforeAll(async () => {
  fx = await startMediaFixture(ds, { sharedTokens: { [SHARED_TOKEN]: 2 } });
  ({ token } = await createUserAndLogin());
  fresh();
  healthy = new Map();
  for (const tok of [PLEX_TOKEN, SHARED_TOKEN]) {
    plexToken = tok;
    for (const s of SECTIONS) {
      const { res, ids } = await unusedIds(s, { refresh: 'true' });
      expect(res.headers['x-data-sources']).toBe(
        `plex=ok, plex-history=${tok === PLEX_TOKEN ? 'ok' : 'own-only'}, tautulli=ok`,
      );
      healthy.set(key(tok, s), ids!);
    }
  }
  // The cases below only mean something if the healthy lists are neither empty nor everything.
  expect(healthy.get(key(PLEX_TOKEN, MOVIES))!.size).toBeGreaterThan(10);
});
afterAll(async () => fx.close());
beforeEach(() => {
  plexToken = PLEX_TOKEN;
  fx.clock.nowMs = ds.now * 1000;
  fresh();
});

describe.each(SECTIONS.map((s) => [s]))(
  'section %s: a source answering 200 with no rows never grows the unused list',
  (section) => {
    const cases: Array<[string, { plex?: Fault; tautulli?: Fault }, string]> = [
      [
        'owner token, Plex history totalSize 0, Tautulli failing',
        { plex: historyEmpty, tautulli: tautulliDown },
        PLEX_TOKEN,
      ],
      [
        'owner token, Plex history totalSize 0, Tautulli 0 rows',
        { plex: historyEmpty, tautulli: mediaInfoEmpty },
        PLEX_TOKEN,
      ],
      ['owner token, Plex history totalSize 0, Tautulli healthy', { plex: historyEmpty }, PLEX_TOKEN],
      ['owner token, Tautulli 0 rows', { tautulli: mediaInfoEmpty }, PLEX_TOKEN],
      ['non-owner token, Tautulli 0 rows', { tautulli: mediaInfoEmpty }, SHARED_TOKEN],
      [
        'non-owner token, Plex history totalSize 0, Tautulli 0 rows',
        { plex: historyEmpty, tautulli: mediaInfoEmpty },
        SHARED_TOKEN,
      ],
    ];
    if (section !== MOVIES)
      cases.push(['owner token, episode/track listing 200 with no rows', { plex: leavesEmpty }, PLEX_TOKEN]);

    const inject = (faults: { plex?: Fault; tautulli?: Fault }) => {
      if (faults.plex) fx.plex.setFault(faults.plex);
      if (faults.tautulli) fx.tautulli.setFault(faults.tautulli);
    };

    it.each(cases)('%s: no snapshot yet → an error or a subset of the healthy list', async (_name, faults, tok) => {
      plexToken = tok;
      const db = await getDb();
      await Promise.all([
        db.collection(MediaCollections.heads).deleteMany({}),
        db.collection(MediaCollections.chunks).deleteMany({}),
      ]);
      inject(faults);
      const { res, ids } = await unusedIds(section, { refresh: 'true' });
      if (process.env.PLM_REPORT)
        require('node:fs').appendFileSync(
          process.env.PLM_REPORT,
          `${section}\t${_name}\tcold\t${res.statusCode}\t${healthy.get(key(plexToken, section))!.size}\t${ids ? ids.size : '-'}\t${ids ? extraOver(section, ids).length : '-'}\t${res.headers['x-data-sources'] ?? ''}\n`,
        );
      if (ids) expect({ status: res.statusCode, extra: extraOver(section, ids) }).toEqual({ status: 200, extra: [] });
      else expect([409, 502, 504]).toContain(res.statusCode);
    });

    it.each(cases)(
      '%s: with a good snapshot → that snapshot, flagged stale, or a subset',
      async (_name, faults, tok) => {
        plexToken = tok;
        const before = await unusedIds(section, { refresh: 'true' });
        inject(faults);
        const { res, ids } = await unusedIds(section, { refresh: 'true' });
        if (process.env.PLM_REPORT)
          require('node:fs').appendFileSync(
            process.env.PLM_REPORT,
            `${section}\t${_name}\twarm\t${res.statusCode}\t${healthy.get(key(plexToken, section))!.size}\t${ids ? ids.size : '-'}\t${ids ? extraOver(section, ids).length : '-'}\t${res.headers['x-cache'] ?? ''}\n`,
          );
        expect(before.res.statusCode).toBe(200);
        expect({ status: res.statusCode, extra: ids ? extraOver(section, ids) : null }).toEqual({
          status: 200,
          extra: [],
        });
      },
    );
  },
);

describe('a snapshot built on a degraded source does not outlive the degradation', () => {
  it('Tautulli empty for the owner: flagged unavailable, and the next request after recovery rebuilds within a minute', async () => {
    fx.tautulli.setFault(mediaInfoEmpty);
    const degraded = await unusedIds(MOVIES, { refresh: 'true' });
    expect(degraded.res.statusCode).toBe(200);
    expect(degraded.res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=unavailable');
    fx.tautulli.clearFaults();
    fx.clock.nowMs += 61_000;
    const after = await unusedIds(MOVIES);
    expect(after.res.headers['x-cache']).not.toBe('hit');
    // The refresh that answer started (in the background here) rests on every source again.
    let next = await unusedIds(MOVIES);
    for (let i = 0; i < 50 && next.res.headers['x-data-sources'] !== 'plex=ok, plex-history=ok, tautulli=ok'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      next = await unusedIds(MOVIES);
    }
    expect(next.res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
    expect(next.ids).toEqual(healthy.get(key(PLEX_TOKEN, MOVIES)));
  });

  it('in Lambda (no background work) an expired degraded snapshot is rebuilt before answering, not served stale', async () => {
    fx.install({ settings, limitUpstream: async () => undefined, backgroundRefresh: false });
    // Later than every snapshot stored so far (a store never replaces a newer snapshot with an older one).
    fx.clock.nowMs += 10 * 60_000;
    fx.tautulli.setFault(mediaInfoEmpty);
    const degraded = await unusedIds(MOVIES, { refresh: 'true' });
    expect([degraded.res.headers['x-data-sources'], degraded.res.headers['x-cache']]).toEqual([
      'plex=ok, plex-history=ok, tautulli=unavailable',
      'miss',
    ]);
    fx.tautulli.clearFaults();
    fx.clock.nowMs += 61_000;
    const after = await unusedIds(MOVIES);
    expect(after.res.headers['x-cache']).toBe('miss');
    expect(after.res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
  });

  it('a healthy snapshot keeps its normal lifetime (a minute later it is still a hit)', async () => {
    await unusedIds(MOVIES, { refresh: 'true' });
    fx.clock.nowMs += 61_000;
    const again = await unusedIds(MOVIES);
    expect(again.res.headers['x-cache']).toBe('hit');
  });
});
