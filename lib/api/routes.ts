import * as z from 'zod';
import { ChangePasswordBody, LoginBody, LogoutBody, RefreshBody } from '../auth/schemas';
import { PutSettingsQuery } from '../settings/http';
import { SettingsUpdate, Verification } from '../settings/schema';
import { DocsAssetPath } from './docs-page';
import { type Answer, declare } from './declaration';
import { MEDIA_ROUTES } from './media-routes';
import { HealthSchema, OpenApiDocumentSchema, SettingsViewSchema, TokenPairSchema } from './response-schemas';

/**
 * The route table: every HTTP route of plm, declared once — method, path, auth,
 * request schemas (which the handlers validate with), every answer with its
 * headers, and the error codes of each status. Each handler in functions/
 * serves the entry named like its serverless.yml function (the key is also the
 * operationId), the OpenAPI document is built from it (lib/api/openapi.ts), and
 * tests/unit/core/routes-match-serverless.test.ts fails when serverless.yml
 * names another route, function or handler file.
 */

const tokenPair = (description: string): Answer => ({ description, schema: TokenPairSchema });
const IfMatchHeader = z.object({
  'If-Match': z
    .string()
    .optional()
    .describe('the ETag of GET /api/settings: the PUT fails with 412 if the settings changed since'),
});

/** Keyed by serverless.yml function name (= operationId); the handler is functions/<kebab-case name>.ts. */
export const ROUTES = {
  health: declare({
    route: 'GET /api/health',
    auth: false,
    tag: 'meta',
    summary: 'Version and database status',
    responses: {
      200: { description: 'up', schema: HealthSchema },
      503: { description: 'the database does not answer', schema: HealthSchema },
    },
  }),
  login: declare({
    route: 'POST /api/login',
    auth: false,
    usesDatabase: true,
    body: LoginBody,
    example: { username: 'demo', password: 'demo-password' },
    tag: 'auth',
    summary: 'Log in',
    responses: { 200: tokenPair('a token pair') },
    errors: { 401: ['INVALID_CREDENTIALS'], 429: ['TOO_MANY_REQUESTS'] },
  }),
  refresh: declare({
    route: 'POST /api/token/refresh',
    auth: false,
    usesDatabase: true,
    body: RefreshBody,
    tag: 'auth',
    summary: 'Swap a refresh token for a new pair (reuse revokes the session)',
    responses: { 200: tokenPair('a new pair') },
    errors: { 401: ['INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED'] },
  }),
  logout: declare({
    route: 'POST /api/logout',
    auth: true,
    body: LogoutBody,
    bodyOptional: true,
    tag: 'auth',
    summary: 'End the session now',
    responses: { 204: { description: 'logged out' } },
  }),
  changePassword: declare({
    route: 'POST /api/password',
    auth: true,
    body: ChangePasswordBody,
    tag: 'auth',
    summary: 'Change the password (revokes every other session)',
    responses: { 200: tokenPair('a fresh pair') },
    errors: { 403: ['INVALID_CREDENTIALS'], 429: ['TOO_MANY_REQUESTS'] },
  }),
  ...MEDIA_ROUTES,
  settingsGet: declare({
    route: 'GET /api/settings',
    auth: true,
    tag: 'settings',
    summary: 'Your effective settings (secrets masked)',
    responses: {
      200: { description: 'settings; see lib/settings/README.md', schema: SettingsViewSchema, headers: { ETag: true } },
    },
  }),
  settingsPut: declare({
    route: 'PUT /api/settings',
    auth: true,
    query: PutSettingsQuery,
    body: SettingsUpdate,
    requestHeaders: IfMatchHeader,
    example: { defaultThresholdDays: 180, excludedLibraryIds: ['3'] },
    tag: 'settings',
    summary: 'Change settings (partial; null clears; If-Match supported)',
    responses: {
      200: { description: 'the stored, effective settings', schema: SettingsViewSchema, headers: { ETag: true } },
    },
    errors: {
      409: ['SETTINGS_VERSION_CONFLICT', 'SETTINGS_WRITE_CONFLICT'],
      412: ['PRECONDITION_FAILED'],
      422: ['SETTINGS_VERIFICATION_FAILED'],
      429: ['TOO_MANY_REQUESTS'],
      503: ['ENCRYPTION_UNAVAILABLE'],
    },
    errorHeaders: { 412: { ETag: true } },
  }),
  settingsVerify: declare({
    route: 'POST /api/settings/verify',
    auth: true,
    body: SettingsUpdate,
    bodyOptional: true,
    tag: 'settings',
    summary: 'Check Plex and Tautulli credentials without storing anything',
    responses: { 200: { description: 'each upstream checked as it would be after that PUT', schema: Verification } },
    errors: { 429: ['TOO_MANY_REQUESTS'] },
  }),
  openapi: declare({
    route: 'GET /api/openapi.json',
    auth: false,
    tag: 'meta',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1', schema: OpenApiDocumentSchema } },
  }),
  docs: declare({
    route: 'GET /api/docs',
    auth: false,
    tag: 'meta',
    summary: 'This document as a page to read and try (Swagger UI)',
    responses: { 200: { description: 'the page', content: { 'text/html': z.string() } } },
  }),
  docsAsset: declare({
    route: 'GET /api/docs/{file}',
    auth: false,
    path: DocsAssetPath,
    tag: 'meta',
    summary: "A file of the docs page (Swagger UI's script and style, served by plm, no CDN)",
    responses: {
      200: {
        description: 'the file',
        content: {
          'text/css': z.string(),
          'text/javascript': z.string(),
          'image/png': z.string().meta({ contentMediaType: 'image/png' }),
        },
      },
    },
  }),
  notFound: declare({
    route: '$default',
    auth: false,
    tag: 'meta',
    summary: 'Any method or path plm does not serve (not in the OpenAPI document)',
    responses: {},
    errors: { 404: ['ROUTE_NOT_FOUND'] },
  }),
};

export type FunctionName = keyof typeof ROUTES;

export { methodAndPath, type AnyRoute, type RouteKey } from './declaration';
