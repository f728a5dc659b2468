/**
 * Deterministic (seeded) generator of a whole Plex server for the fakes, the
 * local demo and the benchmarks. Same options + seed ⇒ byte-identical dataset.
 * Scales linearly: 100k items take well under a second.
 *
 * Every leaf item gets a "persona" so all the cases that matter show up:
 * never played, watched only by the owner, only by others, by both, only
 * manually marked by the owner (no history row), played only before Tautulli
 * was installed, added after Tautulli's cache was built, deleted after it.
 */
import {
  DEFAULT_NOW,
  OWNER_ACCOUNT_ID,
  type FakeDataset,
  type FakeItem,
  type FakePlay,
  type FakeSection,
  type SectionType,
} from './dataset';

export { DatasetBuilder, OWNER_ACCOUNT_ID, DEFAULT_NOW } from './dataset';
export type {
  FakeDataset,
  FakeItem,
  FakePlay,
  FakeSection,
  FakeAccount,
  SectionType,
  ItemType,
  ItemInput,
} from './dataset';

export interface GenerateOptions {
  seed?: number;
  now?: number;
  movies?: number;
  /** Total number of episodes; shows (1-4 seasons of 3-12 episodes) are created until reached. */
  episodes?: number;
  artists?: number;
  albumsPerArtist?: number;
  tracksPerAlbum?: number;
  photos?: number;
  /** Accounts including the owner (id 1). */
  accounts?: number;
  /** false: no item is deleted after Tautulli's cache was built, so Plex lists exactly the requested counts. */
  deletions?: boolean;
}

const DAY = 86_400;

/** mulberry32: tiny, fast, good enough for test data. */
export const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const WORDS = [
  'Silent',
  'Crimson',
  'Last',
  'Broken',
  'Golden',
  'Hidden',
  'Electric',
  'Frozen',
  'Wild',
  'Lost',
  'Iron',
  'Paper',
  'Midnight',
  'Glass',
  'Northern',
  'Velvet',
];
const NOUNS = [
  'River',
  'Empire',
  'Garden',
  'Signal',
  'Harbor',
  'Machine',
  'Orchard',
  'Voyage',
  'Kingdom',
  'Circus',
  'Lantern',
  'Forest',
  'Protocol',
  'Tide',
  'Mirror',
  'Engine',
];

export const generateLibrary = (opts: GenerateOptions = {}): FakeDataset => {
  const rnd = seededRandom(opts.seed ?? 42);
  const now = opts.now ?? DEFAULT_NOW;
  const int = (min: number, max: number) => min + Math.floor(rnd() * (max - min + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const installedAt = now - 200 * DAY;
  const lastRefreshed = now - 2 * DAY;
  const accountCount = Math.max(1, opts.accounts ?? 4);
  const accounts = Array.from({ length: accountCount }, (_, i) => ({
    id: i + 1,
    name: i === 0 ? 'owner' : `user${i + 1}`,
  }));
  const others = accounts.slice(1).map((a) => a.id);

  const sections: FakeSection[] = [];
  const items: FakeItem[] = [];
  const plays: FakePlay[] = [];
  let nextKey = 1000;

  const addSection = (type: SectionType, title: string, agent: string, scanner: string): string => {
    const id = String(sections.length + 1);
    sections.push({
      id,
      type,
      title,
      agent,
      scanner,
      uuid: `5e1f0000-0000-4000-8000-${id.padStart(12, '0')}`,
      createdAt: now - 1000 * DAY,
      updatedAt: now - DAY,
      scannedAt: now - DAY,
    });
    return id;
  };
  const title = (n: number) => `${pick(WORDS)} ${pick(NOUNS)} ${n}`;
  const oldAddedAt = () => now - int(3 * DAY, 1500 * DAY);

  /** Adds the plays a leaf's persona calls for; may also move addedAt/deletedAt. */
  const persona = (item: FakeItem): void => {
    const r = rnd();
    const after = (t: number) => t + int(0, Math.max(0, now - t - 60));
    const start = Math.max(item.addedAt, installedAt);
    const play = (accountId: number, viewedAt: number, manualMark = false) => {
      const p: FakePlay = { ratingKey: item.ratingKey, accountId, viewedAt };
      if (manualMark) p.manualMark = true;
      plays.push(p);
    };
    if (r < 0.03) {
      item.addedAt = now - int(60, DAY); // added after Tautulli's cache was built
      item.updatedAt = item.addedAt;
    } else if (r < 0.38) {
      // never played
    } else if (r < 0.53) {
      for (let i = int(1, 3); i > 0; i--) play(OWNER_ACCOUNT_ID, after(start));
    } else if (r < 0.73 && others.length) {
      for (let i = int(1, 3); i > 0; i--) play(pick(others), after(start));
    } else if (r < 0.9) {
      play(OWNER_ACCOUNT_ID, after(start));
      if (others.length) play(pick(others), after(start));
    } else if (r < 0.95) {
      play(OWNER_ACCOUNT_ID, after(item.addedAt), true);
    } else if (r < 0.99 && item.addedAt < installedAt) {
      play(pick(accounts).id, item.addedAt + int(0, installedAt - item.addedAt - 1)); // before Tautulli existed
    } else if (opts.deletions !== false) {
      item.deletedAt = lastRefreshed + int(60, now - lastRefreshed - 60); // lingers in Tautulli's cache
    }
  };

  const leaf = (sectionId: string, type: FakeItem['type'], base: Partial<FakeItem>, sizes: number[][]): FakeItem => {
    const t = base.title ?? title(nextKey);
    const addedAt = base.addedAt ?? oldAddedAt();
    const item: FakeItem = {
      ratingKey: String(nextKey++),
      sectionId,
      type,
      title: t,
      titleSort: t,
      year: base.year ?? int(1960, 2025),
      addedAt,
      updatedAt: addedAt + int(0, DAY),
      ...base,
    };
    item.title = t;
    if (sizes.length) item.media = sizes;
    items.push(item);
    return item;
  };

  const movies = opts.movies ?? 40;
  if (movies > 0) {
    const sid = addSection('movie', 'Movies', 'tv.plex.agents.movie', 'Plex Movie');
    for (let i = 0; i < movies; i++) {
      const size = () => int(700, 60_000) * 1_000_000 + int(0, 999_999);
      const r = rnd();
      const media = r < 0.02 ? [[size()], [size()]] : r < 0.03 ? [[size(), size()]] : [[size()]];
      persona(leaf(sid, 'movie', {}, media));
    }
  }

  const episodes = opts.episodes ?? 60;
  if (episodes > 0) {
    const sid = addSection('show', 'TV Shows', 'tv.plex.agents.series', 'Plex TV Series');
    let made = 0;
    while (made < episodes) {
      const show = leaf(sid, 'show', { year: int(1990, 2025) }, []);
      let newest = show.addedAt;
      for (let s = 1, seasons = int(1, 4); s <= seasons && made < episodes; s++) {
        const season = leaf(
          sid,
          'season',
          { title: `Season ${s}`, index: s, parentRatingKey: show.ratingKey, addedAt: show.addedAt, year: show.year },
          [],
        );
        for (let e = 1, count = int(3, 12); e <= count && made < episodes; e++, made++) {
          const ep = leaf(
            sid,
            'episode',
            {
              title: `Episode ${e}`,
              index: e,
              parentRatingKey: season.ratingKey,
              grandparentRatingKey: show.ratingKey,
              addedAt: Math.min(now - 3 * DAY, show.addedAt + (s * 20 + e) * DAY),
              year: show.year,
            },
            [[int(200, 4_000) * 1_000_000 + int(0, 999_999)]],
          );
          persona(ep);
          newest = Math.max(newest, ep.addedAt);
        }
      }
      show.updatedAt = newest;
    }
  }

  const artists = opts.artists ?? 3;
  if (artists > 0) {
    const sid = addSection('artist', 'Music', 'tv.plex.agents.music', 'Plex Music');
    for (let a = 0; a < artists; a++) {
      const artist = leaf(sid, 'artist', { year: null }, []);
      for (let b = 1; b <= (opts.albumsPerArtist ?? 2); b++) {
        const album = leaf(sid, 'album', { parentRatingKey: artist.ratingKey, addedAt: artist.addedAt }, []);
        for (let t = 1; t <= (opts.tracksPerAlbum ?? 8); t++) {
          persona(
            leaf(
              sid,
              'track',
              {
                title: `Track ${t}`,
                index: t,
                year: null,
                parentRatingKey: album.ratingKey,
                grandparentRatingKey: artist.ratingKey,
                addedAt: album.addedAt,
              },
              [[int(3, 40) * 1_000_000]],
            ),
          );
        }
      }
    }
  }

  const photos = opts.photos ?? 10;
  if (photos > 0) {
    const sid = addSection('photo', 'Photos', 'com.plexapp.agents.none', 'Plex Photo Scanner');
    for (let i = 0; i < photos; i++)
      leaf(sid, 'photo', { year: null, title: `IMG_${String(i).padStart(4, '0')}` }, [[int(1, 20) * 1_000_000]]);
  }

  for (const item of items) item.titleSort = item.title.replace(/^(the|a|an)\s+/i, '');
  return {
    machineIdentifier: `fake${(opts.seed ?? 42).toString(16).padStart(36, '0')}`,
    version: '1.41.3.9314-a0bfb8370',
    now,
    accounts,
    sections,
    items,
    plays,
    tautulli: { installedAt, lastRefreshed },
  };
};
