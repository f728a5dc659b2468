import * as z from 'zod';
import { id, num, orNull, text } from '../upstream/schema';

/** Plex JSON (Accept: application/json). Only the fields plm reads are declared; the rest is stripped. */
const part = z.object({ size: num.optional() });
const media = z.object({ Part: z.array(part).optional() });

export const identitySchema = z.object({
  MediaContainer: z.object({ machineIdentifier: z.string().min(1), version: z.string() }),
});

export const sectionsSchema = z.object({
  MediaContainer: z.object({
    size: num.optional(),
    Directory: z
      .array(
        z.object({
          key: id,
          type: z.string(),
          title: text,
          agent: orNull(z.string()),
          scanner: orNull(z.string()),
          uuid: orNull(z.string()),
          updatedAt: orNull(num),
          scannedAt: orNull(num),
        }),
      )
      .optional(),
  }),
});

export const metadataSchema = z.object({
  ratingKey: id,
  type: z.string(),
  title: text,
  year: num.optional(),
  addedAt: num,
  updatedAt: num.optional(),
  lastViewedAt: num.optional(),
  viewCount: num.optional(),
  leafCount: num.optional(),
  viewedLeafCount: num.optional(),
  childCount: num.optional(),
  parentRatingKey: id.optional(),
  grandparentRatingKey: id.optional(),
  parentTitle: z.string().optional(),
  Media: z.array(media).optional(),
});

export const historyRowSchema = z.object({
  ratingKey: id.optional(),
  key: z.string().optional(),
  parentKey: z.string().optional(),
  grandparentKey: z.string().optional(),
  librarySectionID: id.optional(),
  viewedAt: num,
  accountID: num.optional(),
});

/** `GET /accounts`: the server's local accounts (the admin token only). */
export const accountsSchema = z.object({
  MediaContainer: z.object({
    Account: z.array(z.object({ id: num, name: z.string().optional() })).optional(),
  }),
});

/** A paged listing. MediaContainer itself may be missing (unknown section); Metadata is absent on an empty page. */
export const pageSchema = <T extends z.ZodType>(row: T) =>
  z.object({
    MediaContainer: z
      .object({
        size: num.optional(),
        totalSize: num.optional(),
        offset: num.optional(),
        Metadata: z.array(row).optional(),
      })
      .optional(),
  });

export type PlexMetadata = z.output<typeof metadataSchema>;
export type PlexHistoryRow = z.output<typeof historyRowSchema>;
export type PlexAccounts = z.output<typeof accountsSchema>;
