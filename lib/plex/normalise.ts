/** Plex rows, parsed by ./schemas, in the shape plm works with (./types). */
import type { PlexAccounts, PlexHistoryRow, PlexMetadata } from './schemas';
import type { PlexAccount, PlexHistoryEntry, PlexItem } from './types';

/** "/library/metadata/201" → "201". */
const keyToRatingKey = (key: string | undefined): string | null =>
  key ? (/\/library\/metadata\/([^/?]+)/.exec(key)?.[1] ?? null) : null;

export const toItem = (m: PlexMetadata): PlexItem => {
  let sizeBytes = 0;
  for (const media of m.Media ?? []) for (const part of media.Part ?? []) sizeBytes += part.size ?? 0;
  const item: PlexItem = {
    ratingKey: m.ratingKey,
    type: m.type,
    title: m.title,
    year: m.year ?? null,
    addedAt: m.addedAt,
    updatedAt: m.updatedAt ?? null,
    lastViewedAt: m.lastViewedAt ?? null,
    viewCount: m.viewCount ?? 0,
    sizeBytes,
  };
  if (m.leafCount !== undefined) item.leafCount = m.leafCount;
  if (m.viewedLeafCount !== undefined) item.viewedLeafCount = m.viewedLeafCount;
  if (m.childCount !== undefined) item.childCount = m.childCount;
  if (m.parentRatingKey !== undefined) item.parentRatingKey = m.parentRatingKey;
  if (m.grandparentRatingKey !== undefined) item.grandparentRatingKey = m.grandparentRatingKey;
  if (m.parentTitle !== undefined) item.parentTitle = m.parentTitle;
  return item;
};

export const toHistory =
  (sectionId: string) =>
  (r: PlexHistoryRow): PlexHistoryEntry | null => {
    const ratingKey = r.ratingKey ?? keyToRatingKey(r.key);
    if (!ratingKey) return null; // cannot be attributed to an item (e.g. a purged one)
    return {
      ratingKey,
      parentRatingKey: keyToRatingKey(r.parentKey),
      grandparentRatingKey: keyToRatingKey(r.grandparentKey),
      viewedAt: r.viewedAt,
      accountId: r.accountID ?? null,
      librarySectionId: r.librarySectionID ?? sectionId,
    };
  };

/** Named accounts only: Plex's system account (id 0, no name) is nobody a scope can mean. */
export const toAccounts = ({ MediaContainer: c }: PlexAccounts): PlexAccount[] =>
  (c.Account ?? []).flatMap((a) => (a.id > 0 && a.name ? [{ id: a.id, name: a.name }] : []));
