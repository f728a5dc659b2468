/**
 * Plex listing pages read without zod (see lib/upstream/row-reader.ts): the
 * same shapes as schemas.ts's `pageSchema(metadataSchema)` and
 * `pageSchema(historyRowSchema)`, read field by field. Undefined means "not
 * recognised": zod then reads the page and words any error.
 */
import { readRows, RowReader } from '../upstream/row-reader';
import type { PlexHistoryRow, PlexMetadata } from './schemas';

type Row = Record<string, unknown>;
export type RowRead<T> = (row: Row, r: RowReader) => T;

export interface PageOf<T> {
  MediaContainer?: { size?: number; totalSize?: number; offset?: number; Metadata?: T[] };
}

const readMedia = (media: unknown[], r: RowReader): NonNullable<PlexMetadata['Media']> =>
  media.map((m) => {
    const parts = r.optArr(r.obj(m).Part);
    return { Part: parts?.map((p) => ({ size: r.optNum(r.obj(p).size) })) };
  });

export const readMetadata: RowRead<PlexMetadata> = (m, r) => {
  const media = r.optArr(m.Media);
  return {
    ratingKey: r.id(m.ratingKey),
    type: r.str(m.type),
    title: r.text(m.title),
    year: r.optNum(m.year),
    addedAt: r.num(m.addedAt),
    updatedAt: r.optNum(m.updatedAt),
    lastViewedAt: r.optNum(m.lastViewedAt),
    viewCount: r.optNum(m.viewCount),
    leafCount: r.optNum(m.leafCount),
    viewedLeafCount: r.optNum(m.viewedLeafCount),
    childCount: r.optNum(m.childCount),
    parentRatingKey: r.optId(m.parentRatingKey),
    grandparentRatingKey: r.optId(m.grandparentRatingKey),
    parentTitle: r.optStr(m.parentTitle),
    Media: media && readMedia(media, r),
  };
};

export const readHistoryRow: RowRead<PlexHistoryRow> = (h, r) => ({
  ratingKey: r.optId(h.ratingKey),
  key: r.optStr(h.key),
  parentKey: r.optStr(h.parentKey),
  grandparentKey: r.optStr(h.grandparentKey),
  librarySectionID: r.optId(h.librarySectionID),
  viewedAt: r.num(h.viewedAt),
  accountID: r.optNum(h.accountID),
});

/** A parsed listing page (`{MediaContainer: {…, Metadata: [rows]}}`), or undefined when it does not fit. */
export const readPage = <T>(body: unknown, read: RowRead<T>): PageOf<T> | undefined => {
  const r = new RowReader();
  const container = r.obj(body).MediaContainer;
  if (!r.ok) return undefined;
  if (container === undefined) return {};
  const c = r.obj(container);
  const head = { size: r.optNum(c.size), totalSize: r.optNum(c.totalSize), offset: r.optNum(c.offset) };
  const rows = r.optArr(c.Metadata);
  if (!r.ok) return undefined;
  if (rows === undefined) return { MediaContainer: head };
  const Metadata = readRows(rows, read);
  return Metadata && { MediaContainer: { ...head, Metadata } };
};
