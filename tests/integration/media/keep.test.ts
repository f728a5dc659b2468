import { deleteAccount } from '../../../lib/auth/account-deletion';
import { findUserByUsername } from '../../../lib/auth/users';
import { getDb } from '../../../lib/db/client';
import { KEEP_COLLECTION } from '../../../lib/media/keep/keep-store';
import type { MediaItem } from '../../../lib/media/types';
import { DatasetBuilder, DEFAULT_NOW, type FakeDataset } from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import { deleteKeep, getKeeps, getLibrarySummary, putKeep } from '../../helpers/decide-api';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/** The keep list through the real handlers: per user, validated against the snapshot, out of every total. */
const NOW = DEFAULT_NOW;
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
const shows = b.section('show');
const M = {
  a: b.movie(movies, { title: 'Alpha', addedAt: NOW - 400 * DAY, sizes: [4_000] }),
  b: b.movie(movies, { title: 'Bravo', addedAt: NOW - 300 * DAY, sizes: [3_000] }),
  c: b.movie(movies, { title: 'Charlie', addedAt: NOW - 200 * DAY, sizes: [2_000] }),
  used: b.movie(movies, { title: 'Used', addedAt: NOW - 200 * DAY, sizes: [1_000] }),
};
b.play(M.used, { accountId: 2, viewedAt: NOW - 3 * DAY });
const show = b.show(shows, { title: 'Old Show', addedAt: NOW - 500 * DAY });
b.episode(b.season(show), { addedAt: NOW - 500 * DAY, sizes: [700] });
const dataset = b.build();
/** The same server after Bravo was deleted from Plex. */
const withoutBravo: FakeDataset = structuredClone(dataset);
withoutBravo.items.find((i) => i.ratingKey === M.b)!.deletedAt = NOW - 60;

let fx: MediaFixture;
let token: string;
let other: string;

beforeAll(async () => {
  fx = await startMediaFixture(dataset);
  ({ token } = await createUserAndLogin());
  ({ token: other } = await createUserAndLogin());
});
afterAll(async () => fx.close());

const unused = (tok: string, query: Record<string, string> = {}) =>
  getUnused(tok, movies, { threshold: '90', ...query });
const ids = (res: { json: <T>() => T }) => res.json<MediaItem[]>().map((i) => i.id);

describe('PUT /api/library/:id/keep/:itemId and DELETE', () => {
  it('keeps an item out of unused and its totals, and gives it back when unkept', async () => {
    const before = await unused(token);
    expect(ids(before)).toEqual([M.a, M.b, M.c]);
    expect(before.headers['x-kept-count']).toBe('0');

    const put = await putKeep(token, movies, M.b, { note: 'my favourite', expiresAt: null });
    expect(put.statusCode).toBe(201);
    expect(put.json()).toEqual({
      libraryId: movies,
      itemId: M.b,
      title: 'Bravo',
      type: 'movie',
      sizeBytes: 3_000,
      note: 'my favourite',
      expiresAt: null,
      keptAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const after = await unused(token);
    expect(ids(after)).toEqual([M.a, M.c]);
    expect(after.headers['x-total-count']).toBe('2');
    expect(after.headers['x-total-size-bytes']).toBe('6000');
    expect(after.headers['x-kept-count']).toBe('1');
    expect(ids(await unused(token, { sort: 'size', order: 'asc' }))).toEqual([M.c, M.a]);
    expect(ids(await unused(token, { offset: '1' }))).toEqual([M.c]);

    // Keeping again changes the note (200, same keep); no body means no note and no expiry.
    const again = await putKeep(token, movies, M.b);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ note: null, keptAt: put.json<{ keptAt: string }>().keptAt });

    expect((await deleteKeep(token, movies, M.b)).statusCode).toBe(204);
    expect(ids(await unused(token))).toEqual([M.a, M.b, M.c]);
    const gone = await deleteKeep(token, movies, M.b);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: { code: 'KEEP_NOT_FOUND' } });
  });

  it('lists kept items with includeKept=true, flagged, still out of the totals', async () => {
    await putKeep(token, movies, M.a, { note: 'for the kids' });
    try {
      const res = await unused(token, { includeKept: 'true' });
      const items = res.json<MediaItem[]>();
      expect(items.map((i) => [i.id, i.kept])).toEqual([
        [M.a, true],
        [M.b, false],
        [M.c, false],
      ]);
      expect(items[0]).toMatchObject({ title: 'Alpha', keepNote: 'for the kids', keepExpiresAt: null });
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.headers['x-total-size-bytes']).toBe('5000');
      expect(res.headers['x-kept-count']).toBe('1');
      const csv = await unused(token, { includeKept: 'true', format: 'csv' });
      const [header, first] = csv.body.split('\r\n');
      expect(header).toMatch(/,snapshotAt,kept,keepNote,keepExpiresAt$/);
      expect(first).toMatch(/,true,for the kids,$/);
      // Without the flag, nothing about keeps is in the items.
      expect(Object.keys((await unused(token)).json<MediaItem[]>()[0]!)).not.toContain('kept');
    } finally {
      await deleteKeep(token, movies, M.a);
    }
  });

  it('answers 404 for an item the library does not have, and 400 for a malformed one', async () => {
    for (const [id, item] of [
      [movies, '999999'],
      [movies, show], // another library's item
    ] as const) {
      const res = await putKeep(token, id, item);
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { code: 'ITEM_NOT_FOUND' } });
    }
    expect((await putKeep(token, '77', M.a)).json()).toMatchObject({ error: { code: 'LIBRARY_NOT_FOUND' } });
    for (const item of ['abc', '1e3', '12345678901234']) {
      expect((await putKeep(token, movies, item)).statusCode).toBe(400);
      expect((await deleteKeep(token, movies, item)).statusCode).toBe(400);
    }
    for (const body of [{ note: 'x'.repeat(501) }, { expiresAt: 'tomorrow' }, { note: 'a\u0000b' }, { extra: 1 }]) {
      const res = await putKeep(token, movies, M.a, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    }
    expect(await (await getDb()).collection(KEEP_COLLECTION).countDocuments({})).toBe(0);
  });

  it("keeps one user's list from another's", async () => {
    await putKeep(token, movies, M.c);
    try {
      expect(ids(await unused(token))).toEqual([M.a, M.b]);
      expect(ids(await unused(other))).toEqual([M.a, M.b, M.c]);
      expect((await getKeeps(other)).json()).toEqual([]);
      expect((await deleteKeep(other, movies, M.c)).statusCode).toBe(404);
      expect(ids(await unused(token))).toEqual([M.a, M.b]);
    } finally {
      await deleteKeep(token, movies, M.c);
    }
  });

  it('ends a keep at its expiry', async () => {
    const expiresAt = new Date(fx.clock.nowMs + 60_000).toISOString();
    const past = await putKeep(token, movies, M.a, { expiresAt: new Date(fx.clock.nowMs - 1).toISOString() });
    expect(past.statusCode).toBe(400);
    expect((await putKeep(token, movies, M.a, { expiresAt })).statusCode).toBe(201);
    try {
      expect(ids(await unused(token))).toEqual([M.b, M.c]);
      fx.clock.nowMs += 61_000;
      expect(ids(await unused(token))).toEqual([M.a, M.b, M.c]);
      expect((await getKeeps(token)).json()).toEqual([
        expect.objectContaining({ itemId: M.a, expired: true, expiresAt }),
      ]);
    } finally {
      fx.clock.nowMs = NOW * 1000;
      await deleteKeep(token, movies, M.a);
    }
  });
});

describe('GET /api/keep', () => {
  it('lists keeps with titles, and a kept item Plex lost as missing (still removable)', async () => {
    await putKeep(token, movies, M.b, { note: 'keep' });
    await putKeep(token, shows, show);
    const listed = await getKeeps(token);
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual([
      expect.objectContaining({
        libraryId: movies,
        libraryTitle: 'Movies',
        itemId: M.b,
        title: 'Bravo',
        status: 'present',
        expired: false,
        note: 'keep',
      }),
      expect.objectContaining({
        libraryId: shows,
        libraryTitle: 'TV Shows',
        itemId: show,
        title: 'Old Show',
        type: 'show',
        sizeBytes: 700,
        status: 'present',
      }),
    ]);

    fx.plex.setDataset(withoutBravo);
    try {
      expect((await unused(token, { refresh: 'true' })).statusCode).toBe(200);
      const after = await getKeeps(token);
      expect(after.json()).toEqual([
        expect.objectContaining({ itemId: M.b, title: 'Bravo', sizeBytes: 3_000, status: 'missing' }),
        expect.objectContaining({ itemId: show, status: 'present' }),
      ]);
      expect((await deleteKeep(token, movies, M.b)).statusCode).toBe(204);
      expect((await getKeeps(token)).json()).toEqual([expect.objectContaining({ itemId: show })]);
    } finally {
      fx.plex.setDataset(dataset);
      await unused(token, { refresh: 'true' });
      await deleteKeep(token, shows, show);
    }
  });

  it('leaves kept items out of the summary too', async () => {
    const before = (await getLibrarySummary(token, movies, { thresholds: '90' })).json<{
      thresholds: Array<{ count: number; sizeBytes: number; largest: Array<{ id: string }> }>;
      kept: { count: number };
    }>();
    await putKeep(token, movies, M.a);
    try {
      const after = (await getLibrarySummary(token, movies, { thresholds: '90' })).json<typeof before>();
      expect(after.thresholds[0]).toMatchObject({
        count: before.thresholds[0]!.count - 1,
        sizeBytes: before.thresholds[0]!.sizeBytes - 4_000,
      });
      expect(after.thresholds[0]!.largest.map((i) => i.id)).toEqual([M.b, M.c]);
      expect(after.kept).toEqual({ count: 1, sizeBytes: 4_000 });
    } finally {
      await deleteKeep(token, movies, M.a);
    }
  });
});

it('deleting an account deletes its keep list', async () => {
  const gone = await createUserAndLogin();
  await putKeep(gone.token, movies, M.a);
  const col = (await getDb()).collection(KEEP_COLLECTION);
  expect(await col.countDocuments({ userId: gone.userId })).toBe(1);
  await deleteAccount((await findUserByUsername(gone.username))!);
  expect(await col.countDocuments({ userId: gone.userId })).toBe(0);
});
