/**
 * How snapshot items are stored inside a chunk document: one JSON string of
 * positional tuples. Measured against BSON arrays of objects (bench/refresh.ts
 * --codec): the string is ~3× smaller on the wire and decodes with one
 * JSON.parse instead of the driver building 100k BSON objects, and the
 * embedded store copies one string instead of walking every field.
 */
import { NO_PLAYS, PLAY_STRIDE } from '../rules/account-plays';
import { sortTitleOf } from '../rules/inputs';
import type { MediaType, PlaySource, PlayedBy, SnapshotItem } from '../types';

const SOURCES: readonly PlaySource[] = ['plex', 'plex-history', 'tautulli'];
const WHO: readonly PlayedBy[] = ['owner', 'other', 'unknown'];

type Tuple = [string, string, number | null, number, number, 0 | 1, number | null, number, number, number, number];
/** The per-account plays (SnapshotItem.plays), appended as a 12th element: 0 when nobody played it. */
type TupleWithPlays = [...Tuple, number[] | 0];

/**
 * Plays' times are stored as seconds BEFORE the item's lastPlayedAt (which is never earlier):
 * the latest account's is 0 and the others shorter than an epoch time. Measured on
 * bench/refresh.ts's library (51,947 items, 4 accounts): 4.58 MB without plays, 5.14 MB with
 * (+12%), where absolute times would take 5.50 MB (+20%).
 */
const encodePlays = (plays: readonly number[], lastPlayedAt: number | null): number[] | 0 => {
  if (!plays.length) return 0;
  const base = lastPlayedAt ?? 0;
  return plays.map((v, j) => (j % PLAY_STRIDE === 1 ? base - v : v));
};

const decodePlays = (encoded: unknown, lastPlayedAt: number | null): readonly number[] => {
  if (encoded === 0) return NO_PLAYS;
  if (!Array.isArray(encoded) || encoded.length % PLAY_STRIDE !== 0 || !encoded.every((v) => typeof v === 'number'))
    throw new Error('snapshot chunk holds malformed plays');
  const base = lastPlayedAt ?? 0;
  return encoded.map((v: number, j) => (j % PLAY_STRIDE === 1 ? base - v : v));
};

export const encodeItems = (items: readonly SnapshotItem[]): string =>
  JSON.stringify(
    items.map((i): Tuple | TupleWithPlays => {
      const tuple: Tuple = [
        i.id,
        i.title,
        i.year,
        i.addedAt,
        i.lastAddedAt,
        i.lastAddedByChild ? 1 : 0,
        i.lastPlayedAt,
        i.playSource === null ? -1 : SOURCES.indexOf(i.playSource),
        i.playedBy === null ? -1 : WHO.indexOf(i.playedBy),
        i.playCount,
        i.sizeBytes,
      ];
      // Items built before plays were recorded keep the 11-element form (and decode without plays).
      return i.plays === undefined ? tuple : [...tuple, encodePlays(i.plays, i.lastPlayedAt)];
    }),
  );

const isTuple = (t: unknown): t is Tuple | TupleWithPlays =>
  Array.isArray(t) && (t.length === 11 || t.length === 12) && typeof t[0] === 'string' && typeof t[1] === 'string';

export const decodeItems = (encoded: string, type: MediaType): SnapshotItem[] => {
  const raw: unknown = JSON.parse(encoded);
  if (!Array.isArray(raw)) throw new Error('snapshot chunk is not an array');
  return raw.map((t: unknown): SnapshotItem => {
    if (!isTuple(t)) throw new Error('snapshot chunk holds a malformed item');
    const [id, title, year, addedAt, lastAddedAt, byChild, lastPlayedAt, source, who, playCount, sizeBytes] = t;
    const item: SnapshotItem = {
      id,
      title,
      sortTitle: sortTitleOf(title),
      year,
      type,
      addedAt,
      lastAddedAt,
      lastAddedByChild: byChild === 1,
      lastPlayedAt,
      playSource: SOURCES[source] ?? null,
      playedBy: WHO[who] ?? null,
      playCount,
      sizeBytes,
    };
    if (t.length === 12) item.plays = decodePlays(t[11], lastPlayedAt);
    return item;
  });
};
