/**
 * The media concern's vocabulary. Times inside plm's cache are epoch SECONDS,
 * like Plex and Tautulli send them; they become ISO-8601 only at the edge.
 */

/** Section types plm can judge; photo libraries are listed but never judged. */
export type JudgedSectionType = 'movie' | 'show' | 'artist';
export const JUDGED_TYPES: ReadonlySet<string> = new Set<JudgedSectionType>(['movie', 'show', 'artist']);
export type MediaType = 'movie' | 'show' | 'album';

/** Which source saw the latest play (for the reason text). */
export type PlaySource = 'plex' | 'plex-history' | 'tautulli';
/** Who played it last, as far as that source can tell. */
export type PlayedBy = 'owner' | 'other' | 'unknown';

/**
 * One judged unit of a library snapshot (a movie, a show with all its
 * episodes, or an album with its tracks). Everything needed to decide
 * "unused" for ANY threshold at ANY time, so the decision is made per request
 * without touching the upstreams.
 */
export interface SnapshotItem {
  id: string;
  title: string;
  /** Lower-case title without a leading article, for sorting. */
  sortTitle: string;
  year: number | null;
  type: MediaType;
  addedAt: number;
  /** addedAt, or the newest episode/track addedAt when later. */
  lastAddedAt: number;
  /** True when lastAddedAt comes from a child (new episode/track). */
  lastAddedByChild: boolean;
  lastPlayedAt: number | null;
  playSource: PlaySource | null;
  playedBy: PlayedBy | null;
  playCount: number;
  sizeBytes: number;
  /**
   * Who played it: flat triples [accountId, lastViewedAt, count, …], one per Plex account that
   * server history (or, for the owner's token, the owner's own watch state) shows playing it.
   * Flat numbers rather than objects so 100k items cost the snapshot and the heap little
   * (rules/account-plays.ts). Undefined on snapshots stored before plm recorded it.
   */
  plays?: readonly number[];
}

/** How each watch-data source fared while a snapshot was built. */
export type SourceStatus = 'ok' | 'unavailable' | 'unconfigured';

export interface SnapshotSources {
  plex: 'ok';
  /**
   * 'ok': the server-wide history of every account (the owner's token).
   * 'own-only': the token is not the owner's, so Plex showed only its own
   * account's plays; such a snapshot is only answered with Tautulli 'ok'.
   */
  plexHistory: 'ok' | 'own-only';
  tautulli: SourceStatus;
  /** Tautulli's media-info cache build time (epoch s), when it said. */
  tautulliLastRefreshed?: number | null;
}

/** What the head document says about a stored snapshot. */
export interface SnapshotMeta {
  machineIdentifier: string;
  sectionId: string;
  /** Credential scope the snapshot was built through (see access.ts sourcesKey). */
  scope: string;
  sectionType: JudgedSectionType;
  sectionTitle: string;
  version: string;
  /** Epoch ms of the upstream sweep's start (data is at least this fresh). */
  fetchedAt: number;
  itemCount: number;
  /** Sum of sizeBytes over all items, counted once per item. */
  totalSizeBytes: number;
  sources: SnapshotSources;
  buildMs: number;
  encodedBytes: number;
}

/** The public API shapes. */
export interface MediaItem {
  id: string;
  title: string;
  year: number | null;
  type: MediaType;
  addedAt: string;
  lastAddedAt: string;
  lastPlayedAt: string | null;
  playCount: number;
  sizeBytes: number;
  unusedDays: number;
  reason: string;
  /** With includeKept only: whether the user keeps it, and their note and the keep's expiry. */
  kept?: boolean;
  keepNote?: string | null;
  keepExpiresAt?: string | null;
}

export interface Library {
  id: string;
  title: string;
  type: string;
  itemCount: number;
  sizeBytes: number | null;
  updatedAt: string | null;
  scannedAt: string | null;
  cache: { fetchedAt: string | null; stale: boolean };
}

export const DAY_SECONDS = 86_400;
/** Plex's local account id of the server owner (the admin token's account). */
export const OWNER_ACCOUNT_ID = 1;
