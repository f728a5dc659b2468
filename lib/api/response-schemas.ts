import { z } from 'zod';
import type { Library, MediaItem } from '../media/types';

/**
 * Response bodies as zod schemas, for the OpenAPI document only. Each is typed
 * against the TypeScript type the handler returns, so the document cannot drift
 * from the code without a compile error.
 */

const isoDate = z.string().describe('ISO-8601 timestamp');

export const MediaItemSchema = z.object({
  id: z.string().describe('Plex ratingKey'),
  title: z.string(),
  year: z.number().int().nullable(),
  type: z.enum(['movie', 'show', 'album']),
  addedAt: isoDate,
  lastAddedAt: isoDate.describe('addedAt, or the newest episode/track'),
  lastPlayedAt: isoDate.nullable().describe('latest play by anyone (Plex owner, Plex history, Tautulli)'),
  playCount: z.number().int(),
  sizeBytes: z.number().int(),
  unusedDays: z.number().int(),
  reason: z.string().describe('why the item is listed, in words'),
  kept: z.boolean().optional().describe('includeKept only: on your keep list'),
  keepNote: z.string().nullable().optional(),
  keepExpiresAt: isoDate.nullable().optional(),
}) satisfies z.ZodType<MediaItem>;

export const LibrarySchema = z.object({
  id: z.string().describe('Plex section key'),
  title: z.string(),
  type: z.string().describe('movie, show, artist or photo'),
  itemCount: z.number().int().nullable().describe('null when Plex could not be asked and no snapshot exists yet'),
  sizeBytes: z.number().int().nullable(),
  updatedAt: isoDate.nullable(),
  scannedAt: isoDate.nullable(),
  cache: z.object({ fetchedAt: isoDate.nullable(), stale: z.boolean() }),
}) satisfies z.ZodType<Omit<Library, 'itemCount'> & { itemCount: number | null }>;

export const TokenPairSchema = z.object({
  token: z.string().describe('access JWT (HS256)'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('seconds'),
  refreshToken: z.string().describe('opaque; spent on use'),
});

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  mongodb: z.object({ ok: z.boolean(), latencyMs: z.number() }),
});
