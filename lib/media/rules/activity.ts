/**
 * Time and the threshold: when an item was last active and whether that is
 * before the cutoff. Strict: activity exactly at the cutoff is NOT unused.
 */
import { DAY_SECONDS, type SnapshotItem } from '../types';

/** max(lastPlayedAt, lastAddedAt), epoch seconds. */
export const lastActivityOf = (item: Pick<SnapshotItem, 'lastPlayedAt' | 'lastAddedAt'>): number =>
  item.lastPlayedAt === null ? item.lastAddedAt : Math.max(item.lastPlayedAt, item.lastAddedAt);

/** Epoch seconds before which activity counts as unused. */
export const cutoffOf = (nowMs: number, thresholdDays: number): number => nowMs / 1000 - thresholdDays * DAY_SECONDS;

/** The rule itself: strictly older than the cutoff. */
export const isUnused = (
  item: Pick<SnapshotItem, 'lastPlayedAt' | 'lastAddedAt'>,
  nowMs: number,
  thresholdDays: number,
): boolean => lastActivityOf(item) < cutoffOf(nowMs, thresholdDays);

/** Whole days since the last activity. */
export const unusedDaysOf = (item: Pick<SnapshotItem, 'lastPlayedAt' | 'lastAddedAt'>, nowMs: number): number =>
  Math.max(0, Math.floor((nowMs / 1000 - lastActivityOf(item)) / DAY_SECONDS));

/**
 * How many items of a list sorted by last activity (ascending) are unused:
 * the first index whose activity is at or after the cutoff.
 */
export const unusedPrefixLength = (activities: ArrayLike<number>, cutoff: number): number => {
  let lo = 0;
  let hi = activities.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((activities[mid] as number) < cutoff) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
