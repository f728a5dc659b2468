import { handler as libraries } from '../../../functions/libraries';
import { getDb } from '../../../lib/db/client';
import { MediaCollections } from '../../../lib/media/store/collections';
import type { AllSummary } from '../../../lib/media/summary/all-summary';
import type { LibrarySummary } from '../../../lib/media/summary/library-summary';
import type { Library, MediaItem } from '../../../lib/media/types';
import type { ResolvedSettings } from '../../../lib/settings/resolve';
import { generateLibrary } from '../../../dev/fakes';
import { invoke } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { getLibrarySummary, getSummary, putKeep } from '../../helpers/decide-api';
import { getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * The summary is the unused answer, counted: for every library, scope and
 * threshold its count and bytes equal unused's X-Total-Count and
 * X-Total-Size-Bytes, and its largest items are unused's first page by size.
 */
const ds = generateLibrary({
  seed: 13,
  movies: 300,
  episodes: 400,
  artists: 5,
  albumsPerArtist: 2,
  tracksPerAlbum: 4,
  photos: 3,
  accounts: 4,
});
const sectionOf = (type: string) => ds.sections.find((s) => s.type === type)!.id;
const SECTIONS = [sectionOf('movie'), sectionOf('show'), sectionOf('artist')];
const THRESHOLDS = [7, 30, 90, 180, 365, 1000];
const SCOPES = ['anyone', 'owner', 'others', 'user:2', 'user:user3'];

let fx: MediaFixture;
let token: string;
let settings: Partial<ResolvedSettings> = {};

beforeAll(async () => {
  fx = await startMediaFixture(ds);
  ({ token } = await createUserAndLogin());
  fx.install({ settings: async () => fx.settings(settings) });
});
afterAll(async () => fx.close());

const summaryOf = async (section: string, scope: string): Promise<LibrarySummary> => {
  const res = await getLibrarySummary(token, section, { thresholds: THRESHOLDS.join(','), scope });
  expect(res.statusCode).toBe(200);
  return res.json<LibrarySummary>();
};

const expectSummaryEqualsUnused = async (section: string, scope: string) => {
  const summary = await summaryOf(section, scope);
  expect(summary.thresholds.map((t) => t.days)).toEqual(THRESHOLDS);
  for (const t of summary.thresholds) {
    const res = await getUnused(token, section, { threshold: String(t.days), scope, sort: 'size', limit: '10' });
    expect([t.days, t.count, t.sizeBytes]).toEqual([
      t.days,
      Number(res.headers['x-total-count']),
      Number(res.headers['x-total-size-bytes']),
    ]);
    expect(t.largest.map((i) => i.id)).toEqual(res.json<MediaItem[]>().map((i) => i.id));
  }
  return summary;
};

describe('GET /api/library/:id/summary', () => {
  it.each(SECTIONS.flatMap((s) => SCOPES.map((scope) => [s, scope])))(
    'library %s, scope=%s: counts and bytes equal unused at every threshold',
    async (section, scope) => {
      const summary = await expectSummaryEqualsUnused(section, scope);
      // Not vacuous: some thresholds list items, and longer thresholds list fewer.
      const counts = summary.thresholds.map((t) => t.count);
      expect(counts[0]).toBeGreaterThan(0);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    },
  );

  it('stays equal with kept items, which it leaves out', async () => {
    const [movies] = SECTIONS as [string];
    const stale = (await getUnused(token, movies, { threshold: '365', sort: 'size', limit: '3' })).json<MediaItem[]>();
    for (const item of stale) expect((await putKeep(token, movies, item.id)).statusCode).toBe(201);
    for (const scope of ['anyone', 'owner']) {
      const summary = await expectSummaryEqualsUnused(movies, scope);
      expect(summary.kept).toEqual({ count: 3, sizeBytes: stale.reduce((n, i) => n + i.sizeBytes, 0) });
      for (const t of summary.thresholds)
        for (const id of stale.map((i) => i.id)) expect(t.largest.map((i) => i.id)).not.toContain(id);
    }
  });

  it('describes the library, its sources and the snapshot, with the default thresholds', async () => {
    const res = await getLibrarySummary(token, SECTIONS[0]!);
    const s = res.json<LibrarySummary>();
    expect(s).toMatchObject({
      library: { id: SECTIONS[0], title: 'Movies', type: 'movie' },
      scope: 'anyone',
      sources: { plex: 'ok', plexHistory: 'ok', tautulli: 'ok' },
      snapshot: { cache: 'hit', fetchedAt: expect.any(String), ageSeconds: 0 },
    });
    expect(s.thresholds.map((t) => t.days)).toEqual([30, 90, 180, 365]);
    const libs = (await invoke(libraries, { path: '/api/libraries', token })).json<Library[]>();
    expect(libs.find((l) => l.id === SECTIONS[0])).toMatchObject({ itemCount: s.itemCount, sizeBytes: s.sizeBytes });
    expect(res.headers['x-cache']).toBe('hit');
    expect(res.headers['x-data-sources']).toBe('plex=ok, plex-history=ok, tautulli=ok');
    expect(s.thresholds.every((t) => t.largest.length <= 10)).toBe(true);
  });

  it.each([['0'], ['3651'], ['30,'], ['30,,90'], ['1,2,3,4,5,6,7,8,9,10,11'], ['1e3'], ['-5'], [' 30']])(
    'refuses thresholds=%j',
    async (thresholds) => {
      const res = await getLibrarySummary(token, SECTIONS[0]!, { thresholds });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    },
  );

  it('answers thresholds once each, in ascending order', async () => {
    const s = (await getLibrarySummary(token, SECTIONS[0]!, { thresholds: '365,30,30,90' })).json<LibrarySummary>();
    expect(s.thresholds.map((t) => t.days)).toEqual([30, 90, 365]);
  });
});

describe('GET /api/summary', () => {
  afterEach(() => {
    settings = {};
    fx.plex.clearFaults();
  });

  it('adds up every judged library, leaving out excluded ones and photos', async () => {
    const thresholds = '30,365';
    const parts = await Promise.all(
      SECTIONS.map(async (s) => (await getLibrarySummary(token, s, { thresholds })).json<LibrarySummary>()),
    );
    const all = (await getSummary(token, { thresholds })).json<AllSummary>();
    expect(all.complete).toBe(true);
    expect(all.libraries.map((l) => l.library.id)).toEqual(SECTIONS);
    expect(all.itemCount).toBe(parts.reduce((n, p) => n + p.itemCount, 0));
    expect(all.kept.count).toBe(3);
    for (const [t, total] of all.thresholds.entries()) {
      expect(total.count).toBe(parts.reduce((n, p) => n + p.thresholds[t]!.count, 0));
      expect(total.sizeBytes).toBe(parts.reduce((n, p) => n + p.thresholds[t]!.sizeBytes, 0));
      const largest = parts
        .flatMap((p) => p.thresholds[t]!.largest.map((i) => ({ ...i, libraryId: p.library.id })))
        .sort((a, b) => b.sizeBytes - a.sizeBytes)
        .slice(0, 10);
      expect(total.largest).toEqual(largest);
    }
    settings = { excludedLibraryIds: [SECTIONS[0]!] };
    const without = (await getSummary(token, { thresholds })).json<AllSummary>();
    expect(without.libraries.map((l) => l.library.id)).toEqual(SECTIONS.slice(1));
    expect(without.thresholds[0]!.count).toBe(all.thresholds[0]!.count - parts[0]!.thresholds[0]!.count);
  });

  it('lists a library it cannot answer with its error, and says the totals are incomplete', async () => {
    await (await getDb()).collection(MediaCollections.heads).deleteMany({ sectionId: SECTIONS[2] });
    fx.install({ settings: async () => fx.settings(settings) }); // a new container: nothing in memory
    fx.plex.setFault({ kind: 'status', status: 500, path: `/library/sections/${SECTIONS[2]}/all` });
    const all = (await getSummary(token)).json<AllSummary>();
    expect(all.complete).toBe(false);
    expect(all.libraries[2]).toEqual({
      library: { id: SECTIONS[2], title: 'Music', type: 'artist' },
      error: { code: expect.stringMatching(/^PLEX_/), message: expect.any(String) },
    });
    expect(all.libraries.slice(0, 2).every((l) => 'thresholds' in l)).toBe(true);
  });
});
