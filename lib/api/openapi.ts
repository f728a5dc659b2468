import { z } from 'zod';
import { ChangePasswordBody, LoginBody, LogoutBody, RefreshBody } from '../auth/schemas';
import { LibrariesQuery, LibraryPath, UnusedQuery } from '../media/query';
import type { Library, MediaItem } from '../media/types';
import { PutSettingsQuery } from '../settings/http';
import { SettingsUpdate } from '../settings/schema';
import { VERSION } from '../version';

/**
 * The OpenAPI 3.1 description of plm, served at GET /api/openapi.json. Request
 * schemas are the very zod schemas the handlers validate with; response schemas
 * are typed against the TypeScript types the handlers return, so the document
 * cannot drift from the code without a compile error.
 */

const isoDate = z.string().describe('ISO-8601 timestamp');

const MediaItemSchema = z.object({
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
}) satisfies z.ZodType<MediaItem>;

const LibrarySchema = z.object({
  id: z.string().describe('Plex section key'),
  title: z.string(),
  type: z.string().describe('movie, show, artist or photo'),
  itemCount: z.number().int().nullable().describe('null when Plex could not be asked and no snapshot exists yet'),
  sizeBytes: z.number().int().nullable(),
  updatedAt: isoDate.nullable(),
  scannedAt: isoDate.nullable(),
  cache: z.object({ fetchedAt: isoDate.nullable(), stale: z.boolean() }),
}) satisfies z.ZodType<Omit<Library, 'itemCount'> & { itemCount: number | null }>;

const TokenPairSchema = z.object({
  token: z.string().describe('access JWT (HS256)'),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('seconds'),
  refreshToken: z.string().describe('opaque; spent on use'),
});

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

const HealthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  mongodb: z.object({ ok: z.boolean(), latencyMs: z.number() }),
});

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

/** Query and path schemas become OpenAPI parameters, one per property. */
const parametersOf = (schema: z.ZodType, where: 'query' | 'path'): Json[] => {
  const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
};

const json = (schema: Json | z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema: schema instanceof z.ZodType ? schemaOf(schema, 'output') : schema } },
});

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { $ref: '#/components/responses/Error' }]));

interface Operation {
  summary: string;
  auth: boolean;
  query?: z.ZodType;
  path?: z.ZodType;
  body?: z.ZodType;
  bodyOptional?: boolean;
  responses: Json;
}

const ROUTES: Record<string, Record<string, Operation>> = {
  '/api/health': { get: { summary: 'Version and database status', auth: false, responses: { '200': json(HealthSchema, 'up'), '503': json(HealthSchema, 'database down') } } },
  '/api/login': {
    post: { summary: 'Log in', auth: false, body: LoginBody, responses: { '200': json(TokenPairSchema, 'a token pair'), ...errors(400, 401, 413, 415, 429, 503) } },
  },
  '/api/token/refresh': {
    post: { summary: 'Swap a refresh token for a new pair (reuse revokes the session)', auth: false, body: RefreshBody, responses: { '200': json(TokenPairSchema, 'a new pair'), ...errors(400, 401) } },
  },
  '/api/logout': {
    post: { summary: 'End the session now', auth: true, body: LogoutBody, bodyOptional: true, responses: { '204': { description: 'logged out' }, ...errors(400, 401) } },
  },
  '/api/password': {
    post: {
      summary: 'Change the password (revokes every other session)',
      auth: true,
      body: ChangePasswordBody,
      responses: { '200': json(TokenPairSchema, 'a fresh pair'), ...errors(400, 401, 403, 429) },
    },
  },
  '/api/libraries': {
    get: { summary: 'Every library of your Plex server', auth: true, query: LibrariesQuery, responses: { '200': json(z.array(LibrarySchema), 'libraries'), ...errors(400, 401, 409, 502, 504) } },
  },
  '/api/library/{id}/unused': {
    get: {
      summary: 'Media nobody has played or added for `threshold` days (JSON or CSV)',
      auth: true,
      path: LibraryPath,
      query: UnusedQuery,
      responses: {
        '200': {
          description: 'unused items, stalest first by default (CSV with format=csv)',
          content: {
            'application/json': { schema: schemaOf(z.array(MediaItemSchema), 'output') },
            'text/csv': { schema: { type: 'string' } },
          },
          headers: Object.fromEntries(
            ['X-Total-Count', 'X-Total-Size-Bytes', 'X-Data-Sources', 'X-Cache', 'X-Cache-Age-Seconds', 'X-Snapshot-At', 'X-Threshold-Days'].map((h) => [h, { schema: { type: 'string' } }]),
          ),
        },
        ...errors(400, 401, 404, 406, 409, 502, 504),
      },
    },
  },
  '/api/settings': {
    get: { summary: 'Your effective settings (secrets masked)', auth: true, responses: { '200': { description: 'settings; see lib/settings/README.md' }, ...errors(401) } },
    put: {
      summary: 'Change settings (partial; null clears; If-Match supported)',
      auth: true,
      query: PutSettingsQuery,
      body: SettingsUpdate,
      responses: { '200': { description: 'the stored, effective settings' }, ...errors(400, 401, 409, 412, 422, 503) },
    },
  },
  '/api/settings/verify': {
    post: {
      summary: 'Check Plex and Tautulli credentials without storing anything',
      auth: true,
      body: SettingsUpdate,
      bodyOptional: true,
      responses: { '200': { description: '{ok, plex, tautulli}' }, ...errors(400, 401, 429) },
    },
  },
  '/api/openapi.json': { get: { summary: 'This document', auth: false, responses: { '200': { description: 'OpenAPI 3.1' } } } },
};

const operation = (op: Operation): Json => ({
  summary: op.summary,
  ...(op.auth ? { security: [{ bearer: [] }] } : { security: [] }),
  parameters: [...(op.path ? parametersOf(op.path, 'path') : []), ...(op.query ? parametersOf(op.query, 'query') : [])],
  ...(op.body
    ? { requestBody: { required: !op.bodyOptional, content: { 'application/json': { schema: schemaOf(op.body, 'input') } } } }
    : {}),
  responses: op.responses,
});

let built: Json | undefined;

export const openApiDocument = (): Json =>
  (built ??= {
    openapi: '3.1.0',
    info: { title: 'plm — Plex Library Manager API', version: VERSION, description: 'Which media nobody watches any more, and how much space it takes.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: { Error: json(ErrorSchema, 'an error: {"error":{code,message,details?}}') },
    },
    paths: Object.fromEntries(
      Object.entries(ROUTES).map(([path, ops]) => [path, Object.fromEntries(Object.entries(ops).map(([method, op]) => [method, operation(op)]))]),
    ),
  });
