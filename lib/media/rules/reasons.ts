/**
 * Why an item is listed, in words a Plex owner can check against their own
 * server: which source saw the last play, who played it, and when.
 */
import { lastActivityOf } from './activity';
import { DAY_SECONDS, type PlaySource, type PlayedBy, type SnapshotItem, type SourceStatus } from '../types';

const SOURCE_LABEL: Record<PlaySource, string> = { plex: 'Plex', 'plex-history': 'Plex history', tautulli: 'Tautulli' };
/** Who, as words after "by"; unknown says nothing rather than guess. */
const WHO: Record<PlayedBy, string | null> = { owner: 'the owner', other: 'another user', unknown: null };
const CHILD: Record<SnapshotItem['type'], string> = { movie: 'file', show: 'episode', album: 'track' };

/** "today", "1 day ago", "412 days ago", "3 years ago" (days are exact below two years). */
export const ago = (seconds: number): string => {
  const days = Math.floor(Math.max(0, seconds) / DAY_SECONDS);
  if (days < 1) return 'today';
  if (days === 1) return '1 day ago';
  if (days < 730) return `${days} days ago`;
  return `${Math.floor(days / 365)} years ago`;
};

/** "added 3 days ago", or for a show/album whose newest episode/track set the clock, "newest episode added …". */
export const addedText = (item: SnapshotItem, nowMs: number): string =>
  `${item.lastAddedByChild ? `newest ${CHILD[item.type]} ` : ''}added ${ago(nowMs / 1000 - item.lastAddedAt)}`;

export const reasonFor = (item: SnapshotItem, nowMs: number, tautulli: SourceStatus): string => {
  const now = nowMs / 1000;
  const added = addedText(item, nowMs);
  if (item.lastPlayedAt === null || item.playSource === null) {
    return `never played${tautulli === 'ok' ? '' : ' (Plex data only)'}; ${added}`;
  }
  const who = WHO[item.playedBy ?? 'unknown'];
  const played = `last played ${ago(now - item.lastPlayedAt)}${who ? ` by ${who}` : ''} (${SOURCE_LABEL[item.playSource]})`;
  // When something was added after the last play, that is what set the clock: say both.
  return lastActivityOf(item) > item.lastPlayedAt ? `${played}; ${added}` : played;
};
