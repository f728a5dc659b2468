import * as z from 'zod';
import { ERROR_CODES, type ErrorCode } from './error-codes';
import { mediaType, timestamp } from './response-schemas';
import type { KeepView } from '../media/keep/keep-item';
import type { KeepListing } from '../media/keep/list-keeps';
import type { LibraryAccount } from '../media/scope/accounts';
import type { AllSummary } from '../media/summary/all-summary';
import type { LibrarySummary } from '../media/summary/library-summary';

/**
 * Response bodies of the keep list, the watch scopes and the summaries, for the
 * OpenAPI document only; each is typed against what its use case returns (see
 * response-schemas.ts).
 */

/** Kept items left out of a summary's totals. */
const keptTotals = z.object({ count: z.number().int(), sizeBytes: z.number().int() });

export const KeepSchema = z
  .object({
    libraryId: z.string(),
    itemId: z.string().describe('Plex ratingKey, as `id` in unused answers'),
    title: z.string(),
    type: mediaType,
    sizeBytes: z.number().int(),
    note: z.string().nullable(),
    expiresAt: timestamp.nullable(),
    keptAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Keep' }) satisfies z.ZodType<KeepView>;

export const KeepListingSchema = KeepSchema.extend({
  libraryTitle: z.string().nullable(),
  expired: z.boolean().describe('the keep has ended: the item is judged like any other again'),
  status: z
    .enum(['present', 'missing', 'unknown'])
    .describe('missing: Plex no longer lists the item; unknown: its library cannot be read just now'),
}).meta({ id: 'KeepListing' }) satisfies z.ZodType<KeepListing>;

export const AccountSchema = z
  .object({
    id: z.number().int().describe('Plex local account id (the owner is 1); scope=user:<id>'),
    name: z.string().nullable().describe('scope=user:<name>; null for an account Plex no longer names'),
    owner: z.boolean(),
    itemsPlayed: z.number().int(),
    lastPlayedAt: timestamp.nullable(),
  })
  .meta({ id: 'Account' }) satisfies z.ZodType<LibraryAccount>;

const summaryItem = z.object({
  id: z.string(),
  title: z.string(),
  type: mediaType,
  year: z.number().int().nullable(),
  sizeBytes: z.number().int(),
  unusedDays: z.number().int(),
  lastPlayedAt: timestamp.nullable(),
});
const totals = { days: z.number().int(), count: z.number().int(), sizeBytes: z.number().int() };
const library = z.object({ id: z.string(), title: z.string(), type: z.string() });
const librarySummaryFields = {
  library,
  scope: z.string(),
  itemCount: z.number().int(),
  sizeBytes: z.number().int(),
  kept: keptTotals,
  sources: z.object({
    plex: z.literal('ok'),
    plexHistory: z.enum(['ok', 'own-only']),
    tautulli: z.enum(['ok', 'unavailable', 'unconfigured']),
    tautulliLastRefreshed: z.number().nullable().optional(),
  }),
  snapshot: z.object({
    fetchedAt: timestamp,
    ageSeconds: z.number().int(),
    cache: z.enum(['hit', 'miss', 'stale']),
  }),
};

export const LibrarySummarySchema = z
  .object({
    ...librarySummaryFields,
    thresholds: z.array(z.object({ ...totals, largest: z.array(summaryItem) })),
  })
  .meta({ id: 'LibrarySummary' }) satisfies z.ZodType<LibrarySummary>;

/** Why a library is left out of GET /api/summary: one of plm's error codes (lib/api/error-codes.ts). */
const libraryErrorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const AllSummarySchema = z
  .object({
    scope: z.string(),
    complete: z.boolean().describe('false when a library could not be answered (its entry has `error`)'),
    itemCount: z.number().int(),
    sizeBytes: z.number().int(),
    kept: keptTotals,
    thresholds: z.array(z.object({ ...totals, largest: z.array(summaryItem.extend({ libraryId: z.string() })) })),
    libraries: z.array(
      z.union([
        z.object({ ...librarySummaryFields, thresholds: z.array(z.object(totals)) }),
        z.object({ library, error: z.object({ code: libraryErrorCode, message: z.string() }) }),
      ]),
    ),
  })
  .meta({ id: 'AllSummary' }) satisfies z.ZodType<AllSummary>;
