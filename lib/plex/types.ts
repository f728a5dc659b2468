/** Plex's numeric `type=` filter values for /library/sections/{id}/all. */
export const PLEX_TYPE = {
  movie: 1,
  show: 2,
  season: 3,
  episode: 4,
  artist: 8,
  album: 9,
  track: 10,
  photo: 13,
} as const;
export type PlexTypeNumber = (typeof PLEX_TYPE)[keyof typeof PLEX_TYPE];

export interface PlexIdentity {
  machineIdentifier: string;
  version: string;
}

export interface PlexSection {
  /** Plex's section key, e.g. "1". */
  id: string;
  type: 'movie' | 'show' | 'artist' | 'photo' | (string & {});
  title: string;
  agent: string | null;
  scanner: string | null;
  uuid: string | null;
  updatedAt: number | null;
  scannedAt: number | null;
}

/** One listed item, normalised. Watch fields are the TOKEN OWNER's only (Plex semantics). */
export interface PlexItem {
  ratingKey: string;
  type: string;
  title: string;
  year: number | null;
  /** Epoch seconds. */
  addedAt: number;
  updatedAt: number | null;
  lastViewedAt: number | null;
  /** 0 when Plex omits it. */
  viewCount: number;
  /** Sum of every Media[].Part[].size (all versions, all stacked parts); 0 when there is no Media. */
  sizeBytes: number;
  leafCount?: number;
  viewedLeafCount?: number;
  childCount?: number;
  parentRatingKey?: string;
  grandparentRatingKey?: string;
  /** Albums: the artist's name (episodes: the season's). */
  parentTitle?: string;
}

/** One server-history row: a real play by any account (manual "mark as watched" writes none). */
export interface PlexHistoryEntry {
  ratingKey: string;
  parentRatingKey: string | null;
  grandparentRatingKey: string | null;
  /** Epoch seconds. */
  viewedAt: number;
  accountId: number | null;
  librarySectionId: string;
}

/** One local account of the server (GET /accounts); the owner is id 1. */
export interface PlexAccount {
  id: number;
  name: string;
}
