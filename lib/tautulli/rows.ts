/**
 * get_library_media_info's `data` read without zod (see
 * lib/upstream/row-reader.ts): the same shape as schemas.ts's
 * `mediaInfoSchema`, whose every numeric field may be a string. Undefined
 * means "not recognised": zod then reads it and words any error.
 */
import { readRows, RowReader } from '../upstream/row-reader';
import type { z } from 'zod';
import type { mediaInfoSchema, mediaRowSchema } from './schemas';

type MediaRow = z.output<typeof mediaRowSchema>;
type MediaInfo = z.output<typeof mediaInfoSchema>;

const readMediaRow = (row: Record<string, unknown>, r: RowReader): MediaRow => ({
  rating_key: r.id(row.rating_key),
  title: r.text(row.title),
  media_type: r.str(row.media_type),
  added_at: r.num(row.added_at),
  year: r.optNumOrNull(row.year),
  file_size: r.optNumOrNull(row.file_size),
  last_played: r.optNumOrNull(row.last_played),
  play_count: r.optNumOrNull(row.play_count),
});

export const readMediaInfo = (data: unknown): MediaInfo | undefined => {
  const r = new RowReader();
  const d = r.obj(data);
  const head = {
    draw: r.num(d.draw),
    recordsTotal: r.num(d.recordsTotal),
    recordsFiltered: r.num(d.recordsFiltered),
    last_refreshed: r.optNumOrNull(d.last_refreshed),
  };
  const rows = r.arr(d.data);
  if (!r.ok) return undefined;
  const read = readRows(rows, readMediaRow);
  return read && { ...head, data: read };
};
