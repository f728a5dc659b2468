export interface TautulliLibrary {
  /** Same string as Plex's section key. */
  sectionId: string;
  sectionName: string;
  sectionType: string;
  agent: string | null;
  count: number | null;
  parentCount: number | null;
  childCount: number | null;
  isActive: boolean;
}

/** One get_library_media_info row. Shows/artists: one row per show, stats over all its episodes. */
export interface TautulliMediaRow {
  ratingKey: string;
  title: string;
  mediaType: string;
  /** Epoch seconds. */
  addedAt: number;
  year: number | null;
  /** null when Tautulli has none ("" — always the case for show rows via the API). */
  fileSizeBytes: number | null;
  /** Epoch seconds of the latest play by ANY user since Tautulli was installed; null = none recorded. */
  lastPlayed: number | null;
  /** Plays by all users since installation; 0 when Tautulli says null. */
  playCount: number;
}

export interface TautulliMediaInfo {
  sectionId: string;
  /** When Tautulli built its media-info cache (epoch s; null on its very first build). Items added later are missing. */
  lastRefreshed: number | null;
  recordsTotal: number;
  /** Every row, page by page, ordered by added_at ascending. Single use. */
  pages: AsyncIterable<TautulliMediaRow[]>;
}
