import { z } from 'zod';
import { KeepBody, KeepPath } from '../media/keep/schemas';
import { LibrariesQuery, LibraryPath, UnusedQuery } from '../media/query';
import { SummaryQuery } from '../media/summary/schemas';
import { declare } from './declaration';
import { AccountSchema, AllSummarySchema, KeepListingSchema, KeepSchema, LibrarySummarySchema } from './decide-schemas';
import { type ErrorsByStatus, mergeErrors } from './error-codes';
import type { HeaderSet } from './headers';
import { BuildStatusSchema, LibrarySchema, MediaItemSchema } from './response-schemas';

/** The media and keep routes of the route table (lib/api/routes.ts), which read your Plex. */

/** Headers of every answer read from a library snapshot. */
const SNAPSHOT_HEADERS: HeaderSet = {
  'X-Data-Sources': true,
  'X-Cache': true,
  'X-Cache-Age-Seconds': true,
  'X-Snapshot-At': true,
};
/** What reading a user's Plex can answer (user context, proof of access, the upstream limit). */
const PLEX_ERRORS: ErrorsByStatus = {
  404: ['PLEX_NOT_FOUND'],
  409: ['PLEX_NOT_CONFIGURED', 'SECRET_UNREADABLE'],
  429: ['TOO_MANY_REQUESTS'],
  502: ['PLEX_UNAUTHORIZED', 'PLEX_UNAVAILABLE', 'PLEX_BAD_RESPONSE'],
  503: ['ENCRYPTION_UNAVAILABLE'],
  504: ['PLEX_TIMEOUT'],
};
/** Reading one library's snapshot: its section, then the cache policy (lib/media/library-snapshot.ts). */
const LIBRARY_ERRORS: ErrorsByStatus = {
  ...PLEX_ERRORS,
  400: ['UNSUPPORTED_LIBRARY_TYPE'],
  404: ['LIBRARY_NOT_FOUND', 'PLEX_NOT_FOUND'],
  409: ['PLEX_NOT_CONFIGURED', 'PLEX_NOT_OWNER', 'SECRET_UNREADABLE'],
};
/** Judging with `scope` other than anyone (lib/media/scope/resolve-scope.ts). */
const SCOPE_ERRORS: ErrorsByStatus = {
  404: ['ACCOUNT_NOT_FOUND'],
  409: ['PLEX_HISTORY_OWN_ONLY', 'ACCOUNT_PLAYS_PENDING', 'ACCOUNT_AMBIGUOUS'],
};
export const MEDIA_ROUTES = {
  libraries: declare({
    route: 'GET /api/libraries',
    auth: true,
    query: LibrariesQuery,
    tag: 'media',
    summary: 'Every library of your Plex server',
    responses: {
      200: {
        description: 'libraries',
        schema: z.array(LibrarySchema),
        headers: { 'X-Total-Count': true, 'X-Cache': true },
      },
    },
    errors: PLEX_ERRORS,
  }),
  unused: declare({
    route: 'GET /api/library/{id}/unused',
    auth: true,
    path: LibraryPath,
    query: UnusedQuery,
    tag: 'media',
    summary: 'Media nobody (in `scope`) has played or added for `threshold` days, kept items left out (JSON or CSV)',
    responses: {
      200: {
        description: 'unused items, stalest first by default (CSV with format=csv)',
        schema: z.array(MediaItemSchema),
        content: { 'text/csv': z.string().describe('RFC 4180 with a header row and a snapshotAt column') },
        headers: {
          'X-Total-Count': true,
          'X-Total-Size-Bytes': true,
          'X-Kept-Count': true,
          ...SNAPSHOT_HEADERS,
          'X-Threshold-Days': true,
          'Content-Disposition': false,
        },
      },
      202: {
        description:
          'the library is being built and the build outlasts the request (first request on a big library, ' +
          'refresh=true): ask again after Retry-After, or follow Location (GET /api/library/{id}/refresh)',
        schema: BuildStatusSchema,
        headers: { 'Retry-After': true, Location: true },
      },
    },
    errors: mergeErrors(LIBRARY_ERRORS, SCOPE_ERRORS, { 406: ['RESPONSE_TOO_LARGE'] }),
  }),
  refreshStatus: declare({
    route: 'GET /api/library/{id}/refresh',
    auth: true,
    path: LibraryPath,
    tag: 'media',
    summary: "Where the library's build stands: building (rows read, estimate), failed, ready or idle",
    responses: {
      200: {
        description: 'the build status (Retry-After while building)',
        schema: BuildStatusSchema,
        headers: { 'Retry-After': false },
      },
    },
    errors: LIBRARY_ERRORS,
  }),
  librarySummary: declare({
    route: 'GET /api/library/{id}/summary',
    auth: true,
    path: LibraryPath,
    query: SummaryQuery,
    tag: 'media',
    summary: 'Reclaimable space per threshold: counts, de-duplicated bytes and the largest items',
    responses: { 200: { description: 'the summary', schema: LibrarySummarySchema, headers: SNAPSHOT_HEADERS } },
    errors: mergeErrors(LIBRARY_ERRORS, SCOPE_ERRORS),
  }),
  summary: declare({
    route: 'GET /api/summary',
    auth: true,
    query: SummaryQuery,
    tag: 'media',
    summary: 'Reclaimable space across all your libraries (excluded libraries left out)',
    description: 'A library that cannot be answered now is listed with its error and left out of the totals.',
    responses: { 200: { description: 'totals, and each library', schema: AllSummarySchema } },
    errors: PLEX_ERRORS,
  }),
  libraryAccounts: declare({
    route: 'GET /api/library/{id}/accounts',
    auth: true,
    path: LibraryPath,
    tag: 'media',
    summary: 'The Plex accounts scope=user: can name, and what each played here',
    responses: { 200: { description: 'accounts by id', schema: z.array(AccountSchema), headers: SNAPSHOT_HEADERS } },
    errors: mergeErrors(LIBRARY_ERRORS, { 409: ['PLEX_HISTORY_OWN_ONLY', 'ACCOUNT_PLAYS_PENDING'] }),
  }),
  keepPut: declare({
    route: 'PUT /api/library/{id}/keep/{itemId}',
    auth: true,
    path: KeepPath,
    body: KeepBody,
    bodyOptional: true,
    example: { note: 'the kids love it', expiresAt: '2027-06-30T00:00:00Z' },
    tag: 'keep',
    summary: 'Keep an item: never listed as unused (optional note and expiry)',
    responses: {
      200: { description: 'already kept; note and expiry replaced', schema: KeepSchema },
      201: { description: 'kept', schema: KeepSchema },
    },
    errors: mergeErrors(LIBRARY_ERRORS, { 404: ['ITEM_NOT_FOUND'], 409: ['KEEP_LIMIT_REACHED'] }),
  }),
  keepDelete: declare({
    route: 'DELETE /api/library/{id}/keep/{itemId}',
    auth: true,
    path: KeepPath,
    tag: 'keep',
    summary: 'Stop keeping an item',
    responses: { 204: { description: 'no longer kept' } },
    errors: mergeErrors(PLEX_ERRORS, { 404: ['KEEP_NOT_FOUND'] }),
  }),
  keepList: declare({
    route: 'GET /api/keep',
    auth: true,
    tag: 'keep',
    summary: 'Your keep list, each item checked against its library (missing when Plex lost it)',
    responses: {
      200: {
        description: 'keeps by library and title',
        schema: z.array(KeepListingSchema),
        headers: { 'X-Total-Count': true },
      },
    },
    errors: PLEX_ERRORS,
  }),
};
