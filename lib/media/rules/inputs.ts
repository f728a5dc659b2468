/** What the rules read of each upstream row: narrow shapes the Plex and Tautulli types satisfy. */
import type { JudgedSectionType, MediaType } from '../types';

/** The fields of a Plex listing row the rules read (PlexItem satisfies it). */
export interface UnitInput {
  ratingKey: string;
  type: string;
  title: string;
  year: number | null;
  addedAt: number;
  lastViewedAt: number | null;
  viewCount: number;
  sizeBytes: number;
  /** Albums: the artist. */
  parentRatingKey?: string;
  parentTitle?: string;
  /** Shows and albums: the episodes/tracks Plex says they hold (a plausibility check of the leaf listing). */
  leafCount?: number;
}

/** An episode (show sections) or a track (music sections). */
export interface LeafInput {
  ratingKey: string;
  addedAt: number;
  lastViewedAt: number | null;
  viewCount: number;
  sizeBytes: number;
  parentRatingKey?: string;
  grandparentRatingKey?: string;
}

export interface HistoryInput {
  ratingKey: string;
  parentRatingKey: string | null;
  grandparentRatingKey: string | null;
  viewedAt: number;
  accountId: number | null;
}

export interface TautulliInput {
  ratingKey: string;
  lastPlayed: number | null;
  playCount: number | null;
}

export const UNIT_TYPE: Record<JudgedSectionType, MediaType> = { movie: 'movie', show: 'show', artist: 'album' };

const ARTICLE = /^(the|a|an)\s+/i;
/** The title as sorted: without a leading article, lower case. */
export const sortTitleOf = (title: string): string => title.replace(ARTICLE, '').toLocaleLowerCase('en');

/**
 * The keys of a history row that judging can read: a unit (movie, show, album) or an album's
 * artist (tautulliFor). A show's episodes and seasons, and a track, never are: without them a
 * 50k-episode library keeps ~3k aggregates through its sweep instead of ~37k. (A movie's row
 * keeps all three: an extra's play counts for the movie it belongs to.)
 */
export const historyKeys = (row: HistoryInput, type: JudgedSectionType): ReadonlyArray<string | null> =>
  type === 'show'
    ? [row.grandparentRatingKey]
    : type === 'artist'
      ? [row.parentRatingKey, row.grandparentRatingKey]
      : [row.ratingKey, row.parentRatingKey, row.grandparentRatingKey];
