import * as z from 'zod';
import type { BuildStatus } from '../media/build-status';
import type { LibraryListing } from '../media/list-libraries';
import type { MediaItem } from '../media/types';
import { MaskedSecret, Source, Verification, type SettingsView } from '../settings/schema';
import { ERROR_CODES, type ErrorCode } from './error-codes';

/**
 * Response bodies as zod schemas, for the OpenAPI document and the contract
 * test only (handlers build their answers from the TypeScript types). Each is
 * typed against the type the handler returns, so the document cannot drift from
 * the code without a compile error. `id` makes a schema one shared component.
 */

export const timestamp = z.iso.datetime().describe('ISO-8601 timestamp (UTC)');
/** What plm judges: a movie, a show as a whole, an album. */
export const mediaType = z.enum(['movie', 'show', 'album']);

export const MediaItemSchema = z
  .object({
    id: z.string().describe('Plex ratingKey'),
    title: z.string(),
    year: z.number().int().nullable(),
    type: mediaType,
    addedAt: timestamp,
    lastAddedAt: timestamp.describe('addedAt, or the newest episode/track'),
    lastPlayedAt: timestamp.nullable().describe('latest play by anyone (Plex owner, Plex history, Tautulli)'),
    playCount: z.number().int().min(0),
    sizeBytes: z.number().int().min(0),
    unusedDays: z.number().int().min(0),
    reason: z.string().describe('why the item is listed, in words'),
    kept: z.boolean().optional().describe('includeKept only: on your keep list'),
    keepNote: z.string().nullable().optional(),
    keepExpiresAt: timestamp.nullable().optional(),
  })
  .meta({
    id: 'MediaItem',
    example: {
      id: '15875',
      title: 'Silent Engine',
      year: 1985,
      type: 'movie',
      addedAt: '2022-10-19T00:38:37.000Z',
      lastAddedAt: '2022-10-19T00:38:37.000Z',
      lastPlayedAt: null,
      playCount: 0,
      sizeBytes: 38616241893,
      unusedDays: 1499,
      reason: 'never played; added 4 years ago',
    },
  }) satisfies z.ZodType<MediaItem>;

export const LibrarySchema = z
  .object({
    id: z.string().describe('Plex section key'),
    title: z.string(),
    type: z.string().describe('movie, show, artist or photo'),
    itemCount: z.number().int().nullable().describe('null when Plex could not be asked and no snapshot exists yet'),
    sizeBytes: z.number().int().nullable(),
    updatedAt: timestamp.nullable(),
    scannedAt: timestamp.nullable(),
    cache: z.object({ fetchedAt: timestamp.nullable(), stale: z.boolean() }),
  })
  .meta({
    id: 'Library',
    example: {
      id: '1',
      title: 'Movies',
      type: 'movie',
      itemCount: 590,
      sizeBytes: 19038867530208,
      updatedAt: '2026-12-02T06:50:41.000Z',
      scannedAt: '2026-12-02T06:50:41.000Z',
      cache: { fetchedAt: '2026-12-03T06:51:42.625Z', stale: false },
    },
  }) satisfies z.ZodType<LibraryListing>;

export const TokenPairSchema = z
  .object({
    token: z.string().describe('access JWT (HS256)'),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number().int().describe('seconds'),
    refreshToken: z.string().describe('opaque; spent on use'),
  })
  .meta({
    id: 'TokenPair',
    example: {
      token: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln',
      tokenType: 'Bearer',
      expiresIn: 86400,
      refreshToken: 'a1b2.c3d4',
    },
  });

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    mongodb: z.object({ ok: z.boolean(), latencyMs: z.number() }),
  })
  .meta({ id: 'Health', example: { status: 'ok', version: '0.1.0', mongodb: { ok: true, latencyMs: 2 } } });

export const SettingsViewSchema = z
  .object({
    plexUrl: z.string().nullable(),
    plexToken: MaskedSecret,
    tautulliUrl: z.string().nullable(),
    tautulliApiKey: MaskedSecret,
    defaultThresholdDays: z.number().int(),
    cacheTtlMinutes: z.number().int(),
    excludedLibraryIds: z.array(z.string()),
    timezone: z.string(),
    sources: z.object({
      plexUrl: Source,
      plexToken: Source,
      tautulliUrl: Source,
      tautulliApiKey: Source,
      defaultThresholdDays: Source,
      cacheTtlMinutes: Source,
      excludedLibraryIds: Source,
      timezone: Source,
    }),
    version: z.number().int().min(0),
    updatedAt: timestamp.nullable(),
    verification: Verification.optional().describe('only in the answer to PUT ?verify=true'),
  })
  .meta({
    id: 'SettingsView',
    description: 'Your effective settings: secrets masked, `sources` says which values are the server defaults',
  }) satisfies z.ZodType<SettingsView>;

/** The document itself, loosely: clients only rely on it being OpenAPI 3.1. */
export const OpenApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.looseObject({})),
  })
  .meta({ id: 'OpenApiDocument', description: 'This OpenAPI 3.1 document' });

const ErrorDetails = z
  .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
  .meta({ id: 'ErrorDetails', description: 'what failed, e.g. the fields of a VALIDATION_ERROR' });

const ErrorMessage = z.string().meta({ id: 'ErrorMessage', description: 'for people; do not parse' });

/** `{"error":{code,message,details?}}` with the codes one answer may carry. */
export const errorSchema = (codes: readonly ErrorCode[]) =>
  z.object({
    error: z.object({
      code: z
        .enum(codes as [ErrorCode, ...ErrorCode[]])
        .describe(codes.map((code) => `\`${code}\`: ${ERROR_CODES[code]}`).join('; ')),
      message: ErrorMessage,
      details: ErrorDetails.optional(),
    }),
  });

export const BuildStatusSchema = z.object({
  libraryId: z.string(),
  state: z
    .enum(['building', 'failed', 'ready', 'idle'])
    .describe(
      'building: a build runs; failed: the last build failed (see error); ready: a snapshot answers; idle: never built',
    ),
  startedAt: timestamp.nullable().describe('start of the running (or last) build'),
  itemsRead: z.number().int().nullable().describe('upstream rows read so far by the running (or last) build'),
  itemsExpected: z.number().int().nullable().describe('upstream rows announced, once the upstreams said'),
  estimatedRemainingSeconds: z.number().int().nullable(),
  snapshotAt: timestamp.nullable().describe('when the data of the current snapshot was read'),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  statusUrl: z.string().describe('this document: ask again here'),
}) satisfies z.ZodType<BuildStatus>;
