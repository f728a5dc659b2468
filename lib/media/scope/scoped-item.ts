/**
 * An item as a scoped answer shows it: last play, play count, unused days and
 * reason of the scope's accounts only; the reason also says when anyone else
 * played it later, so "unused by alice" is never mistaken for "unused".
 */
import { iso, type LoadedSnapshot } from '../cache/loaded-snapshot';
import { playsOf } from '../rules/account-plays';
import { unusedDaysOf } from '../rules/activity';
import { addedText, ago } from '../rules/reasons';
import type { MediaItem, SnapshotItem } from '../types';
import type { AccountScope } from './watch-scope';

const scopedReason = (item: SnapshotItem, lastPlayedAt: number | null, scope: AccountScope, nowMs: number) => {
  const now = nowMs / 1000;
  const added = addedText(item, nowMs);
  // The owner's own watch state is Plex's item data; everyone else's plays come from server history.
  const source = scope.key === 'owner' ? 'Plex' : 'Plex history';
  let reason =
    lastPlayedAt === null
      ? `never played by ${scope.label}; ${added}`
      : `last played by ${scope.label} ${ago(now - lastPlayedAt)} (${source})${item.lastAddedAt > lastPlayedAt ? `; ${added}` : ''}`;
  if (item.lastPlayedAt !== null && (lastPlayedAt === null || item.lastPlayedAt > lastPlayedAt))
    reason += `; last played by anyone ${ago(now - item.lastPlayedAt)}`;
  return reason;
};

export const scopedMediaItem = (snapshot: LoadedSnapshot, i: number, scope: AccountScope, nowMs: number): MediaItem => {
  const item = snapshot.items[i] as SnapshotItem;
  const { lastPlayedAt, playCount } = playsOf(item.plays ?? [], scope.filter);
  return {
    ...snapshot.mediaItem(i, nowMs),
    lastPlayedAt: lastPlayedAt === null ? null : iso(lastPlayedAt),
    playCount,
    unusedDays: unusedDaysOf({ lastPlayedAt, lastAddedAt: item.lastAddedAt }, nowMs),
    reason: scopedReason(item, lastPlayedAt, scope, nowMs),
  };
};
