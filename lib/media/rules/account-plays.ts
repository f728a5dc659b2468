/**
 * Plays per Plex account, as flat triples [accountId, lastViewedAt, count, …]
 * (SnapshotItem.plays). Items hold a handful of accounts at most, so a linear
 * scan beats a Map, and plain numbers keep 100k items cheap to store and hold.
 */
import { OWNER_ACCOUNT_ID } from '../types';

/** Numbers per account in a plays array. */
export const PLAY_STRIDE = 3;

/** Folds `count` plays of `accountId`, the newest at `viewedAt`, into `plays`. */
export const addAccountPlay = (plays: number[], accountId: number, viewedAt: number, count = 1): void => {
  for (let j = 0; j < plays.length; j += PLAY_STRIDE) {
    if (plays[j] !== accountId) continue;
    plays[j + 1] = Math.max(plays[j + 1] as number, viewedAt);
    plays[j + 2] = (plays[j + 2] as number) + count;
    return;
  }
  plays.push(accountId, viewedAt, count);
};

/** Shared by every item nobody played (plays are never changed once judged). */
export const NO_PLAYS: readonly number[] = Object.freeze([]);

/**
 * An item's plays: its Plex history's, plus — for the owner's token — the owner's own watch
 * state (which includes "mark as watched", never in history). Counts overlap (the same play is
 * in both), so the owner's count is the larger of the two, like SnapshotItem.playCount. Takes
 * over `history` (the accumulator's, finished with): no copy per item; folding again changes
 * nothing (maxima), so judging twice is harmless.
 */
export const itemPlays = (
  history: number[] | undefined,
  owner: { lastViewedAt: number | null; viewCount: number } | null,
): readonly number[] => {
  if (!owner || owner.lastViewedAt === null) return history?.length ? history : NO_PLAYS;
  const plays = history ?? [];
  for (let j = 0; j < plays.length; j += PLAY_STRIDE) {
    if (plays[j] !== OWNER_ACCOUNT_ID) continue;
    plays[j + 1] = Math.max(plays[j + 1] as number, owner.lastViewedAt);
    plays[j + 2] = Math.max(plays[j + 2] as number, owner.viewCount);
    return plays;
  }
  plays.push(OWNER_ACCOUNT_ID, owner.lastViewedAt, Math.max(1, owner.viewCount));
  return plays;
};

/** Which accounts' plays count: one account, or every account but one (the owner, for "others"). */
export type AccountFilter = { only: number } | { except: number };

const matches = (filter: AccountFilter, accountId: number): boolean =>
  'only' in filter ? accountId === filter.only : accountId !== filter.except;

/** The newest play and the play count of the accounts `filter` admits (null: none played it). */
export const playsOf = (
  plays: readonly number[],
  filter: AccountFilter,
): { lastPlayedAt: number | null; playCount: number } => {
  let lastPlayedAt: number | null = null;
  let playCount = 0;
  for (let j = 0; j < plays.length; j += PLAY_STRIDE) {
    if (!matches(filter, plays[j] as number)) continue;
    const at = plays[j + 1] as number;
    // Like the anyone-answer, a play without a time (0) says nothing about when.
    if (at > 0 && (lastPlayedAt === null || at > lastPlayedAt)) lastPlayedAt = at;
    playCount += plays[j + 2] as number;
  }
  return { lastPlayedAt, playCount };
};
