/**
 * The one in-memory library both fake servers read. It describes what is TRUE
 * (items, files, every play of every account); each fake then derives what its
 * real counterpart would show, quirks included (see library-view.ts).
 *
 * Hand-written datasets: use DatasetBuilder. Large ones: library-generator.ts.
 */
export type SectionType = 'movie' | 'show' | 'artist' | 'photo';
export type ItemType = 'movie' | 'show' | 'season' | 'episode' | 'artist' | 'album' | 'track' | 'photo';

/** Plex's local account id of the server owner (the token's account in the fakes). */
export const OWNER_ACCOUNT_ID = 1;

export interface FakeAccount {
  id: number;
  name: string;
}

export interface FakeSection {
  id: string;
  type: SectionType;
  title: string;
  agent: string;
  scanner: string;
  uuid: string;
  createdAt: number;
  updatedAt: number;
  scannedAt: number;
}

export interface FakeItem {
  ratingKey: string;
  sectionId: string;
  type: ItemType;
  title: string;
  titleSort: string;
  year: number | null;
  addedAt: number;
  updatedAt: number;
  parentRatingKey?: string;
  grandparentRatingKey?: string;
  index?: number;
  /** Leaf items only: one entry per Media version, each the byte sizes of its Parts. */
  media?: number[][];
  /** Removed from Plex at this time (Tautulli's cache may still list it). */
  deletedAt?: number;
}

export interface FakePlay {
  ratingKey: string;
  accountId: number;
  viewedAt: number;
  /** "Mark as watched": changes the owner's viewCount/lastViewedAt but writes no history row. */
  manualMark?: boolean;
}

export interface FakeDataset {
  machineIdentifier: string;
  version: string;
  /** The fakes' idea of "now" (epoch seconds); Tautulli refreshes stamp this. */
  now: number;
  accounts: FakeAccount[];
  sections: FakeSection[];
  items: FakeItem[];
  plays: FakePlay[];
  tautulli: {
    /** Tautulli only knows plays from this time on. */
    installedAt: number;
    /** When its media-info cache was built; null = never built (it is built on first request). */
    lastRefreshed: number | null;
  };
}

const SECTION_DEFAULTS: Record<SectionType, { agent: string; scanner: string }> = {
  movie: { agent: 'tv.plex.agents.movie', scanner: 'Plex Movie' },
  show: { agent: 'tv.plex.agents.series', scanner: 'Plex TV Series' },
  artist: { agent: 'tv.plex.agents.music', scanner: 'Plex Music' },
  photo: { agent: 'com.plexapp.agents.none', scanner: 'Plex Photo Scanner' },
};

export const DEFAULT_NOW = 1_760_000_000; // 2025-10-09, fixed so datasets are reproducible
const DAY = 86_400;

const titleSortOf = (title: string): string => title.replace(/^(the|a|an)\s+/i, '');

export interface ItemInput {
  title?: string;
  year?: number | null;
  addedAt?: number;
  updatedAt?: number;
  /** Part sizes of the single Media version; or pass `media` for several versions. */
  sizes?: number[];
  media?: number[][];
  deletedAt?: number;
  index?: number;
}

/**
 * Builds small datasets by hand. Rating keys are sequential from 100 so tests
 * can predict them; every method returns the new key.
 */
export class DatasetBuilder {
  private readonly ds: FakeDataset;
  private nextKey = 100;

  constructor(
    opts: {
      now?: number;
      machineIdentifier?: string;
      accounts?: FakeAccount[];
      tautulliInstalledAt?: number;
      tautulliLastRefreshed?: number | null;
    } = {},
  ) {
    const now = opts.now ?? DEFAULT_NOW;
    this.ds = {
      machineIdentifier: opts.machineIdentifier ?? 'fake0machine0identifier0000000000000000',
      version: '1.41.3.9314-a0bfb8370',
      now,
      accounts: opts.accounts ?? [
        { id: OWNER_ACCOUNT_ID, name: 'owner' },
        { id: 2, name: 'alice' },
        { id: 3, name: 'bob' },
      ],
      sections: [],
      items: [],
      plays: [],
      tautulli: {
        installedAt: opts.tautulliInstalledAt ?? now - 365 * DAY,
        lastRefreshed: opts.tautulliLastRefreshed === undefined ? now - DAY : opts.tautulliLastRefreshed,
      },
    };
  }

  section(type: SectionType, title?: string): string {
    const id = String(this.ds.sections.length + 1);
    const t = this.ds.now - 30 * DAY;
    this.ds.sections.push({
      id,
      type,
      title: title ?? { movie: 'Movies', show: 'TV Shows', artist: 'Music', photo: 'Photos' }[type],
      ...SECTION_DEFAULTS[type],
      uuid: `00000000-0000-4000-8000-${id.padStart(12, '0')}`,
      createdAt: t - 365 * DAY,
      updatedAt: t,
      scannedAt: t,
    });
    return id;
  }

  private add(sectionId: string, type: ItemType, input: ItemInput, extra: Partial<FakeItem> = {}): string {
    const ratingKey = String(this.nextKey++);
    const title = input.title ?? `${type} ${ratingKey}`;
    const addedAt = input.addedAt ?? this.ds.now - 100 * DAY;
    const item: FakeItem = {
      ratingKey,
      sectionId,
      type,
      title,
      titleSort: titleSortOf(title),
      year: input.year === undefined ? 2000 : input.year,
      addedAt,
      updatedAt: input.updatedAt ?? addedAt,
      ...extra,
    };
    const media = input.media ?? (input.sizes ? [input.sizes] : undefined);
    if (media) item.media = media;
    if (input.deletedAt !== undefined) item.deletedAt = input.deletedAt;
    if (input.index !== undefined) item.index = input.index;
    this.ds.items.push(item);
    return ratingKey;
  }

  private parentOf(ratingKey: string): FakeItem {
    const p = this.ds.items.find((i) => i.ratingKey === ratingKey);
    if (!p) throw new Error(`no item ${ratingKey}`);
    return p;
  }

  movie(sectionId: string, input: ItemInput = {}): string {
    return this.add(sectionId, 'movie', { sizes: [1_000_000_000], ...input });
  }

  show(sectionId: string, input: ItemInput = {}): string {
    return this.add(sectionId, 'show', input);
  }

  season(showKey: string, input: ItemInput = {}): string {
    const show = this.parentOf(showKey);
    const index = input.index ?? this.ds.items.filter((i) => i.parentRatingKey === showKey).length + 1;
    return this.add(
      show.sectionId,
      'season',
      { title: `Season ${index}`, addedAt: show.addedAt, ...input, index },
      { parentRatingKey: showKey },
    );
  }

  episode(seasonKey: string, input: ItemInput = {}): string {
    const season = this.parentOf(seasonKey);
    const index = input.index ?? this.ds.items.filter((i) => i.parentRatingKey === seasonKey).length + 1;
    return this.add(
      season.sectionId,
      'episode',
      { sizes: [500_000_000], addedAt: season.addedAt, ...input, index },
      { parentRatingKey: seasonKey, grandparentRatingKey: season.parentRatingKey ?? '' },
    );
  }

  artist(sectionId: string, input: ItemInput = {}): string {
    return this.add(sectionId, 'artist', { year: null, ...input });
  }

  album(artistKey: string, input: ItemInput = {}): string {
    const artist = this.parentOf(artistKey);
    return this.add(artist.sectionId, 'album', { addedAt: artist.addedAt, ...input }, { parentRatingKey: artistKey });
  }

  track(albumKey: string, input: ItemInput = {}): string {
    const album = this.parentOf(albumKey);
    const index = input.index ?? this.ds.items.filter((i) => i.parentRatingKey === albumKey).length + 1;
    return this.add(
      album.sectionId,
      'track',
      { sizes: [8_000_000], addedAt: album.addedAt, year: null, ...input, index },
      { parentRatingKey: albumKey, grandparentRatingKey: album.parentRatingKey ?? '' },
    );
  }

  photo(sectionId: string, input: ItemInput = {}): string {
    return this.add(sectionId, 'photo', { sizes: [4_000_000], year: null, ...input });
  }

  play(ratingKey: string, play: { accountId?: number; viewedAt: number; manualMark?: boolean }): this {
    const p: FakePlay = { ratingKey, accountId: play.accountId ?? OWNER_ACCOUNT_ID, viewedAt: play.viewedAt };
    if (play.manualMark) p.manualMark = true;
    this.ds.plays.push(p);
    return this;
  }

  build(): FakeDataset {
    return structuredClone(this.ds);
  }
}
