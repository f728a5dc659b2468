/** The paged Plex listings a sweep reads: their schema, row reader, path and query. */
import type { z } from 'zod';
import type { QueryValue } from '../upstream/http';
import { readHistoryRow, readMetadata, type RowRead } from './rows';
import { historyRowSchema, metadataSchema, pageSchema } from './schemas';

const itemPage = pageSchema(metadataSchema);
const historyPage = pageSchema(historyRowSchema);

/** What to ask Plex for one paged listing. */
export interface PlexListing<T extends z.ZodType> {
  schema: ReturnType<typeof pageSchema<T>>;
  /** Reads a row of `schema` without zod (rows.ts); zod reads the pages it does not recognise. */
  read: RowRead<z.output<T>>;
  path: string;
  query: Record<string, QueryValue>;
  /** Set for a section listing: then a 404 or an answer without MediaContainer means "no such section". */
  section?: string;
}

/** The items of a section (of one PLEX_TYPE, or the section's own type). */
export const itemListing = (sectionId: string, type?: number): PlexListing<typeof metadataSchema> => ({
  schema: itemPage,
  read: readMetadata,
  path: `/library/sections/${encodeURIComponent(sectionId)}/all`,
  query: { type },
  section: sectionId,
});

/** Server-wide play history of a section, oldest first (see PlexClient.iterateHistory). */
export const historyListing = (sectionId: string): PlexListing<typeof historyRowSchema> => ({
  schema: historyPage,
  read: readHistoryRow,
  path: '/status/sessions/history/all',
  query: { librarySectionID: sectionId, sort: 'viewedAt:asc' },
});
