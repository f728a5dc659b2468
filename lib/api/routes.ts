import { z } from 'zod';
import { ChangePasswordBody, LoginBody, LogoutBody, RefreshBody } from '../auth/schemas';
import type { RouteSpec } from '../http/handler';
import { KeepBody, KeepPath } from '../media/keep/schemas';
import { LibrariesQuery, LibraryPath, UnusedQuery } from '../media/query';
import { SummaryQuery } from '../media/summary/schemas';
import { PutSettingsQuery } from '../settings/http';
import { SettingsUpdate } from '../settings/schema';
import { AccountSchema, AllSummarySchema, KeepListingSchema, KeepSchema, LibrarySummarySchema } from './decide-schemas';
import { HealthSchema, LibrarySchema, MediaItemSchema, TokenPairSchema } from './response-schemas';

/**
 * The route table: every HTTP route of plm, declared once. Each handler in
 * functions/ serves the entry named like its serverless.yml function, the
 * OpenAPI document is built from it, and tests/unit/core/routes-match-serverless.test.ts
 * fails when serverless.yml names another route, function or handler file.
 */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** API Gateway's route key: "METHOD /path", or `$default` for the catch-all (`httpApi: '*'`). */
export type RouteKey = `${Method} /api/${string}` | '$default';

/** One documented answer (errors all share the one error shape and are listed by status only). */
export interface ResponseDoc {
  description: string;
  /** The JSON body. */
  schema?: z.ZodType;
  /** Also answers text/csv. */
  csv?: boolean;
  /** Response headers worth documenting. */
  headers?: readonly string[];
}

export interface RouteDeclaration<A extends boolean, B, Q, P> extends RouteSpec<A, B, Q, P> {
  route: RouteKey;
  summary: string;
  /** Answers other than errors, by status. */
  responses: Record<number, ResponseDoc>;
  /** Error statuses this route can answer. */
  errors?: readonly number[];
}

type Schema = z.ZodType | undefined;
export type AnyRoute = RouteDeclaration<boolean, Schema, Schema, Schema>;

/** Keeps each declaration's schema types, so handlers get typed body, query and path. */
const declare = <
  A extends boolean,
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(
  declaration: RouteDeclaration<A, B, Q, P>,
): RouteDeclaration<A, B, Q, P> => declaration;

const tokenPair = (description: string): ResponseDoc => ({ description, schema: TokenPairSchema });
/** Headers of every answer read from a library snapshot. */
const SNAPSHOT_HEADERS = ['X-Data-Sources', 'X-Cache', 'X-Cache-Age-Seconds', 'X-Snapshot-At'] as const;

/** Keyed by serverless.yml function name; the handler is functions/<kebab-case name>.ts. */
export const ROUTES = {
  health: declare({
    route: 'GET /api/health',
    auth: false,
    summary: 'Version and database status',
    responses: {
      200: { description: 'up', schema: HealthSchema },
      503: { description: 'database down', schema: HealthSchema },
    },
  }),
  login: declare({
    route: 'POST /api/login',
    auth: false,
    body: LoginBody,
    summary: 'Log in',
    responses: { 200: tokenPair('a token pair') },
    errors: [400, 401, 413, 415, 429, 503],
  }),
  refresh: declare({
    route: 'POST /api/token/refresh',
    auth: false,
    body: RefreshBody,
    summary: 'Swap a refresh token for a new pair (reuse revokes the session)',
    responses: { 200: tokenPair('a new pair') },
    errors: [400, 401],
  }),
  logout: declare({
    route: 'POST /api/logout',
    auth: true,
    body: LogoutBody,
    bodyOptional: true,
    summary: 'End the session now',
    responses: { 204: { description: 'logged out' } },
    errors: [400, 401],
  }),
  changePassword: declare({
    route: 'POST /api/password',
    auth: true,
    body: ChangePasswordBody,
    summary: 'Change the password (revokes every other session)',
    responses: { 200: tokenPair('a fresh pair') },
    errors: [400, 401, 403, 429],
  }),
  libraries: declare({
    route: 'GET /api/libraries',
    auth: true,
    query: LibrariesQuery,
    summary: 'Every library of your Plex server',
    responses: { 200: { description: 'libraries', schema: z.array(LibrarySchema) } },
    errors: [400, 401, 409, 502, 504],
  }),
  unused: declare({
    route: 'GET /api/library/{id}/unused',
    auth: true,
    path: LibraryPath,
    query: UnusedQuery,
    summary: 'Media nobody (in `scope`) has played or added for `threshold` days, kept items left out (JSON or CSV)',
    responses: {
      200: {
        description: 'unused items, stalest first by default (CSV with format=csv)',
        schema: z.array(MediaItemSchema),
        csv: true,
        headers: ['X-Total-Count', 'X-Total-Size-Bytes', 'X-Kept-Count', ...SNAPSHOT_HEADERS, 'X-Threshold-Days'],
      },
    },
    errors: [400, 401, 404, 406, 409, 502, 504],
  }),
  librarySummary: declare({
    route: 'GET /api/library/{id}/summary',
    auth: true,
    path: LibraryPath,
    query: SummaryQuery,
    summary: 'Reclaimable space per threshold: counts, de-duplicated bytes and the largest items',
    responses: { 200: { description: 'the summary', schema: LibrarySummarySchema, headers: SNAPSHOT_HEADERS } },
    errors: [400, 401, 404, 409, 502, 504],
  }),
  summary: declare({
    route: 'GET /api/summary',
    auth: true,
    query: SummaryQuery,
    summary: 'Reclaimable space across all your libraries (excluded libraries left out)',
    responses: { 200: { description: 'totals, and each library', schema: AllSummarySchema } },
    errors: [400, 401, 409, 502, 504],
  }),
  libraryAccounts: declare({
    route: 'GET /api/library/{id}/accounts',
    auth: true,
    path: LibraryPath,
    summary: 'The Plex accounts scope=user: can name, and what each played here',
    responses: { 200: { description: 'accounts by id', schema: z.array(AccountSchema), headers: SNAPSHOT_HEADERS } },
    errors: [400, 401, 404, 409, 502, 504],
  }),
  keepPut: declare({
    route: 'PUT /api/library/{id}/keep/{itemId}',
    auth: true,
    path: KeepPath,
    body: KeepBody,
    bodyOptional: true,
    summary: 'Keep an item: never listed as unused (optional note and expiry)',
    responses: {
      201: { description: 'kept', schema: KeepSchema },
      200: { description: 'already kept; note and expiry replaced', schema: KeepSchema },
    },
    errors: [400, 401, 404, 409, 413, 415, 502, 504],
  }),
  keepDelete: declare({
    route: 'DELETE /api/library/{id}/keep/{itemId}',
    auth: true,
    path: KeepPath,
    summary: 'Stop keeping an item',
    responses: { 204: { description: 'no longer kept' } },
    errors: [400, 401, 404, 409, 502, 504],
  }),
  keepList: declare({
    route: 'GET /api/keep',
    auth: true,
    summary: 'Your keep list, each item checked against its library (missing when Plex lost it)',
    responses: { 200: { description: 'keeps by library and title', schema: z.array(KeepListingSchema) } },
    errors: [401, 409, 502, 504],
  }),
  settingsGet: declare({
    route: 'GET /api/settings',
    auth: true,
    summary: 'Your effective settings (secrets masked)',
    responses: { 200: { description: 'settings; see lib/settings/README.md' } },
    errors: [401],
  }),
  settingsPut: declare({
    route: 'PUT /api/settings',
    auth: true,
    query: PutSettingsQuery,
    body: SettingsUpdate,
    summary: 'Change settings (partial; null clears; If-Match supported)',
    responses: { 200: { description: 'the stored, effective settings' } },
    errors: [400, 401, 409, 412, 422, 503],
  }),
  settingsVerify: declare({
    route: 'POST /api/settings/verify',
    auth: true,
    body: SettingsUpdate,
    bodyOptional: true,
    summary: 'Check Plex and Tautulli credentials without storing anything',
    responses: { 200: { description: '{ok, plex, tautulli}' } },
    errors: [400, 401, 429],
  }),
  openapi: declare({
    route: 'GET /api/openapi.json',
    auth: false,
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1' } },
  }),
  notFound: declare({
    route: '$default',
    auth: false,
    summary: 'Any method or path plm does not serve (not in the OpenAPI document)',
    responses: {},
    errors: [404],
  }),
};

export type FunctionName = keyof typeof ROUTES;

/** Method and path of a route key; undefined for the catch-all. */
export const methodAndPath = (route: RouteKey): { method: Method; path: string } | undefined => {
  if (route === '$default') return undefined;
  const [method, path] = route.split(' ') as [Method, string];
  return { method, path };
};
