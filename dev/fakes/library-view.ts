/**
 * What each upstream would SHOW of a FakeDataset, computed once per dataset:
 * - Plex: live (not deleted) items, watch fields for the OWNER only (manual
 *   marks included), server history of every account without manual marks.
 * - Tautulli: rows from a media-info cache snapshot at `lastRefreshed` (items
 *   added later missing, items deleted later still present) with play stats
 *   over all accounts but only since `installedAt`.
 */
import {
  OWNER_ACCOUNT_ID,
  type FakeDataset,
  type FakeItem,
  type FakePlay,
  type ItemType,
  type SectionType,
} from './dataset';

export const PLEX_TYPE_NUMBER: Record<ItemType, number> = {
  movie: 1,
  show: 2,
  season: 3,
  episode: 4,
  artist: 8,
  album: 9,
  track: 10,
  photo: 13,
};
export const SECTION_DEFAULT_TYPE: Record<SectionType, ItemType> = {
  movie: 'movie',
  show: 'show',
  artist: 'artist',
  photo: 'photo',
};
const LEAF: ReadonlySet<ItemType> = new Set(['movie', 'episode', 'track', 'photo']);

export interface OwnerStats {
  viewCount: number;
  lastViewedAt: number | null;
  /** Parents only: leaves the owner has viewed. */
  viewedLeafCount: number;
}

export interface HistoryEntry {
  /** Stable history id (position of the play in the dataset, from 1). */
  id: number;
  play: FakePlay;
  item: FakeItem;
}

export class LibraryView {
  readonly byKey = new Map<string, FakeItem>();
  /** sectionId → Plex item type → live items in Plex's default order (titleSort). */
  private readonly listings = new Map<string, Map<ItemType, FakeItem[]>>();
  private readonly children = new Map<string, FakeItem[]>();
  /** accountId → ratingKey → that account's own watch state (Plex shows each token its own). */
  private readonly watch = new Map<number, Map<string, OwnerStats>>();
  /** Non-manual plays of live items, newest first. */
  readonly history: HistoryEntry[];

  constructor(readonly ds: FakeDataset) {
    for (const item of ds.items) this.byKey.set(item.ratingKey, item);
    for (const item of ds.items) {
      if (item.deletedAt !== undefined && item.deletedAt <= ds.now) continue;
      const bySection = this.listings.get(item.sectionId) ?? new Map<ItemType, FakeItem[]>();
      this.listings.set(item.sectionId, bySection);
      const list = bySection.get(item.type) ?? [];
      list.push(item);
      bySection.set(item.type, list);
      if (item.parentRatingKey) {
        const siblings = this.children.get(item.parentRatingKey) ?? [];
        siblings.push(item);
        this.children.set(item.parentRatingKey, siblings);
      }
    }
    const byTitle = (a: FakeItem, b: FakeItem) =>
      a.titleSort < b.titleSort ? -1 : a.titleSort > b.titleSort ? 1 : Number(a.ratingKey) - Number(b.ratingKey);
    for (const bySection of this.listings.values()) for (const list of bySection.values()) list.sort(byTitle);

    for (const p of ds.plays) {
      const own = this.watch.get(p.accountId) ?? new Map<string, OwnerStats>();
      this.watch.set(p.accountId, own);
      const s = own.get(p.ratingKey) ?? { viewCount: 0, lastViewedAt: null, viewedLeafCount: 0 };
      s.viewCount++;
      s.lastViewedAt = Math.max(s.lastViewedAt ?? 0, p.viewedAt);
      own.set(p.ratingKey, s);
    }
    this.history = [];
    ds.plays.forEach((play, i) => {
      const item = this.byKey.get(play.ratingKey);
      if (!play.manualMark && item && this.isLive(item)) this.history.push({ id: i + 1, play, item });
    });
    this.history.sort(
      (a, b) => b.play.viewedAt - a.play.viewedAt || Number(a.item.ratingKey) - Number(b.item.ratingKey),
    );
  }

  isLive(item: FakeItem): boolean {
    return item.deletedAt === undefined || item.deletedAt > this.ds.now;
  }

  section(id: string) {
    return this.ds.sections.find((s) => s.id === id);
  }

  listing(sectionId: string, type: ItemType): FakeItem[] {
    return this.listings.get(sectionId)?.get(type) ?? [];
  }

  childrenOf(ratingKey: string): FakeItem[] {
    return this.children.get(ratingKey) ?? [];
  }

  leavesOf(item: FakeItem): FakeItem[] {
    if (LEAF.has(item.type)) return [item];
    return this.childrenOf(item.ratingKey).flatMap((c) => this.leavesOf(c));
  }

  /** Owner's watch state; for parents aggregated over their leaves like Plex does. */
  ownerStats(item: FakeItem): OwnerStats {
    return this.accountStats(item, OWNER_ACCOUNT_ID);
  }

  /** One account's own watch state (what that account's token sees on items). */
  accountStats(item: FakeItem, accountId: number): OwnerStats {
    const own = this.watch.get(accountId);
    if (LEAF.has(item.type))
      return own?.get(item.ratingKey) ?? { viewCount: 0, lastViewedAt: null, viewedLeafCount: 0 };
    const agg: OwnerStats = { viewCount: 0, lastViewedAt: null, viewedLeafCount: 0 };
    for (const leaf of this.leavesOf(item)) {
      const s = own?.get(leaf.ratingKey);
      if (!s) continue;
      agg.viewCount += s.viewCount;
      agg.viewedLeafCount++;
      agg.lastViewedAt = Math.max(agg.lastViewedAt ?? 0, s.lastViewedAt ?? 0);
    }
    return agg;
  }

  /** Tautulli's media-info cache of a section as of `refreshedAt` (default section type rows). */
  tautulliSnapshot(sectionId: string, refreshedAt: number): FakeItem[] {
    const section = this.section(sectionId);
    if (!section) return [];
    const type = SECTION_DEFAULT_TYPE[section.type];
    return this.ds.items.filter(
      (i) =>
        i.sectionId === sectionId &&
        i.type === type &&
        i.addedAt <= refreshedAt &&
        (i.deletedAt === undefined || i.deletedAt > refreshedAt),
    );
  }

  /** Tautulli's stats: all accounts, non-manual plays since installation, grouped per row item. */
  tautulliStats(sectionId: string): Map<string, { lastPlayed: number; playCount: number }> {
    const stats = new Map<string, { lastPlayed: number; playCount: number }>();
    for (const p of this.tautulliPlays()) {
      const item = this.byKey.get(p.ratingKey);
      if (!item || item.sectionId !== sectionId) continue;
      const key = item.grandparentRatingKey || item.ratingKey; // show/artist rows group by grandparent
      const s = stats.get(key) ?? { lastPlayed: 0, playCount: 0 };
      s.playCount++;
      s.lastPlayed = Math.max(s.lastPlayed, p.viewedAt);
      stats.set(key, s);
    }
    return stats;
  }

  tautulliPlays(): FakePlay[] {
    return this.ds.plays.filter((p) => !p.manualMark && p.viewedAt >= this.ds.tautulli.installedAt);
  }
}
