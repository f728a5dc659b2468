/**
 * The items of an unused answer as JSON or CSV: anyone-answers from the
 * snapshot's pre-rendered JSON, scoped ones from the scope's own values, and
 * with includeKept each item flagged `kept` (with the keep's note and expiry).
 */
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { type CsvCell, toCsv } from './csv';
import type { KeepDoc } from './keep/keep-store';
import { scopedMediaItem } from './scope/scoped-item';
import type { ResolvedScope } from './scope/watch-scope';
import type { MediaItem } from './types';

/** `snapshotAt` (when the data was read from Plex) travels with every row: a saved file has no headers. */
export const CSV_COLUMNS = [
  'id',
  'title',
  'year',
  'type',
  'addedAt',
  'lastAddedAt',
  'lastPlayedAt',
  'playCount',
  'sizeBytes',
  'unusedDays',
  'reason',
  'snapshotAt',
] as const;
/** Appended with includeKept. */
const KEPT_COLUMNS = ['kept', 'keepNote', 'keepExpiresAt'] as const;

export interface RenderInput {
  snapshot: LoadedSnapshot;
  scope: ResolvedScope;
  /** includeKept: the kept items by index (every listed item is flagged); null: no flags. */
  flags: ReadonlyMap<number, KeepDoc> | null;
  nowMs: number;
}

const keptFields = (doc: KeepDoc | undefined): Pick<MediaItem, 'kept' | 'keepNote' | 'keepExpiresAt'> =>
  doc
    ? { kept: true, keepNote: doc.note, keepExpiresAt: doc.expiresAt ? doc.expiresAt.toISOString() : null }
    : { kept: false };

export const mediaItemOf = (r: RenderInput, i: number): MediaItem =>
  r.scope.kind === 'anyone' ? r.snapshot.mediaItem(i, r.nowMs) : scopedMediaItem(r.snapshot, i, r.scope, r.nowMs);

const itemJson = (r: RenderInput, i: number): string => {
  const base = r.scope.kind === 'anyone' ? r.snapshot.json(i, r.nowMs) : JSON.stringify(mediaItemOf(r, i));
  if (!r.flags) return base;
  // Both are JSON objects: join them without parsing the item again.
  return `${base.slice(0, -1)},${JSON.stringify(keptFields(r.flags.get(i))).slice(1)}`;
};

export const unusedJson = (r: RenderInput, indices: readonly number[]): string => {
  const parts = new Array<string>(indices.length);
  for (let j = 0; j < indices.length; j++) parts[j] = itemJson(r, indices[j] as number);
  return `[${parts.join(',')}]`;
};

/** The selected items as CSV, each row carrying the snapshot's time. */
export const unusedCsv = (r: RenderInput, indices: readonly number[]): string => {
  const snapshotAt = new Date(r.snapshot.meta.fetchedAt).toISOString();
  const rows = indices.map((i): CsvCell[] => {
    const m = mediaItemOf(r, i);
    const row: CsvCell[] = [
      m.id,
      m.title,
      m.year,
      m.type,
      m.addedAt,
      m.lastAddedAt,
      m.lastPlayedAt,
      m.playCount,
      m.sizeBytes,
      m.unusedDays,
      m.reason,
      snapshotAt,
    ];
    if (!r.flags) return row;
    const k = keptFields(r.flags.get(i));
    return [...row, k.kept ? 'true' : 'false', k.keepNote ?? null, k.keepExpiresAt ?? null];
  });
  return toCsv(r.flags ? [...CSV_COLUMNS, ...KEPT_COLUMNS] : CSV_COLUMNS, rows);
};
