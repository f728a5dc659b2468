import { z } from 'zod';

/**
 * Response headers plm sends on purpose, declared once: routes name the ones
 * each answer carries, the OpenAPI document describes them as shared
 * components, and the contract test checks every one it receives.
 */

const count = z.string().regex(/^[0-9]+$/);
const integer = (description: string) =>
  count.describe(description).meta({ override: { type: 'integer', minimum: 0, pattern: undefined } });

export const RESPONSE_HEADERS = {
  'X-Request-Id': z.string().min(1).describe('the id of this request in plm’s logs; quote it in bug reports'),
  'X-Total-Count': integer('items in the whole answer, before limit/offset'),
  'X-Total-Size-Bytes': integer('the size of those items, each counted once'),
  'X-Kept-Count': integer('items left out because you keep them (GET /api/keep)'),
  'X-Data-Sources': z
    .string()
    .regex(/^plex=(ok|unavailable), plex-history=(ok|own-only), tautulli=(ok|unavailable|unconfigured)$/)
    .describe('which watch-data sources the answer rests on'),
  'X-Cache': z
    .enum(['hit', 'miss', 'stale'])
    .describe('hit: fresh snapshot; miss: built now; stale: the last good one'),
  'X-Cache-Age-Seconds': integer('age of the snapshot the answer comes from'),
  'X-Snapshot-At': z.iso.datetime().describe('when the snapshot was read from Plex'),
  'X-Threshold-Days': integer('the threshold applied (the query’s, or your defaultThresholdDays)'),
  'Content-Disposition': z
    .string()
    .regex(/^attachment; filename="[^"]+\.csv"$/)
    .describe('CSV only: a file name'),
  ETag: z
    .string()
    .regex(/^"v[0-9]+"$/)
    .describe('the settings version, for If-Match'),
  'Retry-After': integer('seconds to wait before trying again'),
  Location: z.string().startsWith('/api/').describe('where to ask next (the build status of a library)'),
  'WWW-Authenticate': z.string().startsWith('Bearer').describe('the authentication scheme'),
} as const;

export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

/** The component id of a header: its name without dashes (`X-Request-Id` → `XRequestId`). */
export const headerComponentId = (name: ResponseHeader): string => name.replace(/-/g, '');

/** The headers of one answer: `true` when always sent, `false` when only sometimes. */
export type HeaderSet = Partial<Record<ResponseHeader, boolean>>;

/** Headers every answer carries, errors included. */
export const ALWAYS_SENT: HeaderSet = { 'X-Request-Id': true };

/** Headers that come with an error status. */
export const ERROR_HEADERS: Partial<Record<number, HeaderSet>> = {
  401: { 'WWW-Authenticate': true },
  429: { 'Retry-After': true },
  // an upstream that asked plm to wait passes it on; the database asks for 5 s
  502: { 'Retry-After': false },
  503: { 'Retry-After': false },
};
