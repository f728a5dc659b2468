/**
 * Every `error.code` plm can answer, with what it means. APIError only takes a
 * code from this list (lib/errors.ts), so a new code is a compile error until it
 * is described here; each route then declares which of them it answers, by
 * status (lib/api/routes.ts), and the OpenAPI document lists them as enums.
 */
export const ERROR_CODES = {
  BAD_REQUEST: 'the request is malformed',
  VALIDATION_ERROR: 'a body, query or path field is invalid; `details` lists each failing field',
  INVALID_JSON: 'the body is not valid JSON',
  INVALID_USER_ID: 'the user id is not a valid id',
  UNSUPPORTED_LIBRARY_TYPE: 'photo libraries cannot be judged',
  UNAUTHORIZED: 'no `Authorization: Bearer <token>` header',
  INVALID_TOKEN: 'the access token is malformed or its signature is wrong',
  TOKEN_EXPIRED: 'the access token has expired; refresh it',
  SESSION_REVOKED: 'the session has ended (logout, password change, refresh-token reuse)',
  INVALID_CREDENTIALS: 'wrong username or password',
  INVALID_REFRESH_TOKEN: 'the refresh token is unknown or expired',
  REFRESH_TOKEN_REUSED: 'the refresh token was already spent; the session is revoked',
  FORBIDDEN: 'not allowed',
  NOT_FOUND: 'not found',
  ROUTE_NOT_FOUND: 'no such method and path',
  LIBRARY_NOT_FOUND: 'no library with this id on your Plex server',
  ITEM_NOT_FOUND: 'the library has no item with this id (as last read from Plex)',
  KEEP_NOT_FOUND: 'the item is not on your keep list',
  ACCOUNT_NOT_FOUND: 'no Plex account of this id or name on the server (GET /api/library/{id}/accounts)',
  METHOD_NOT_ALLOWED: 'the method is not allowed here',
  LIBRARY_BUILDING: 'the library is being built: ask again after Retry-After, or follow Location',
  BUILD_UNAVAILABLE: 'the library cannot be built now (the build function could not be started); try again later',
  RESPONSE_TOO_LARGE: 'the answer is over 6 MB: ask with `Accept-Encoding: gzip` or page with limit/offset',
  CONFLICT: 'the request conflicts with the current state',
  USER_EXISTS: 'a user with this name exists',
  PLEX_NOT_CONFIGURED: 'no Plex URL and token in your settings or on the server',
  PLEX_NOT_OWNER: "the Plex token is not the server owner's and no usable Tautulli sees everyone's plays",
  PLEX_HISTORY_OWN_ONLY: "a watch scope needs the owner's Plex token (only it reads every account's history)",
  ACCOUNT_PLAYS_PENDING: 'the library was read before plm recorded plays per account and cannot be re-read now',
  ACCOUNT_AMBIGUOUS: 'several Plex accounts have this name; use user:<id>',
  KEEP_LIMIT_REACHED: 'at most 10,000 items can be kept per server',
  SECRET_UNREADABLE: 'a stored secret cannot be decrypted; enter it again',
  SETTINGS_VERSION_CONFLICT: 'the body `version` is not the stored version',
  SETTINGS_WRITE_CONFLICT: 'the settings were changed concurrently; try again',
  PRECONDITION_FAILED: '`If-Match` does not match the current ETag',
  PAYLOAD_TOO_LARGE: 'the body is larger than the route accepts',
  UNSUPPORTED_MEDIA_TYPE: 'the body is not sent as `Content-Type: application/json`',
  UNPROCESSABLE_ENTITY: 'the request cannot be processed',
  SETTINGS_VERIFICATION_FAILED: 'PUT ?verify=true: a check failed, nothing was stored; `details` has the checks',
  TOO_MANY_REQUESTS: 'too many attempts; wait `Retry-After` seconds',
  INTERNAL_ERROR: 'an unexpected failure (the message says nothing more)',
  CONFIG_ERROR: 'the server is misconfigured (the message says nothing more)',
  PLEX_UNAUTHORIZED: 'Plex refused the token',
  PLEX_UNAVAILABLE: 'Plex is unreachable or answered 429/5xx',
  PLEX_BAD_RESPONSE: 'Plex answered something plm cannot trust (malformed, implausibly empty, changed while read)',
  PLEX_NOT_FOUND: 'Plex answered 404 (wrong URL path?)',
  PLEX_TIMEOUT: 'Plex did not answer in time',
  TAUTULLI_UNAUTHORIZED: 'Tautulli refused the API key',
  TAUTULLI_UNAVAILABLE: 'Tautulli is unreachable or answered 429/5xx',
  TAUTULLI_BAD_RESPONSE: 'Tautulli answered something plm cannot read',
  TAUTULLI_NOT_FOUND: 'Tautulli answered 404 (wrong URL path?)',
  TAUTULLI_TIMEOUT: 'Tautulli did not answer in time',
  DATABASE_UNAVAILABLE: 'MongoDB does not answer; try again after `Retry-After` seconds',
  SERVICE_MISCONFIGURED: 'the function cannot load its configuration or secrets; its operator finds why in the logs',
  ENCRYPTION_UNAVAILABLE: 'no usable SETTINGS_ENCRYPTION_KEY on the server, so secrets cannot be stored or read',
  TIMEOUT: 'the request took too long and was stopped',
} as const satisfies Record<string, string>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Error codes an answer of one status may carry, e.g. `{ 401: ['INVALID_CREDENTIALS'] }`. */
export type ErrorsByStatus = Partial<Record<number, readonly ErrorCode[]>>;

/** Merges lists of codes by status, without repeats, in a stable order. */
export const mergeErrors = (...lists: ErrorsByStatus[]): ErrorsByStatus => {
  const merged: Record<number, ErrorCode[]> = {};
  for (const list of lists) {
    for (const [status, codes] of Object.entries(list)) {
      const into = merged[Number(status)] ?? [];
      for (const code of codes ?? []) if (!into.includes(code)) into.push(code);
      merged[Number(status)] = into;
    }
  }
  return merged;
};

/** What a route with a body may answer before its handler runs. */
export const BODY_ERRORS = {
  400: ['VALIDATION_ERROR', 'INVALID_JSON'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
} as const satisfies ErrorsByStatus;
/** What a route with query or path parameters may answer before its handler runs. */
export const PARAMETER_ERRORS = { 400: ['VALIDATION_ERROR'] } as const satisfies ErrorsByStatus;
/** What a route that needs a token may answer. */
export const AUTH_ERRORS = {
  401: ['UNAUTHORIZED', 'INVALID_TOKEN', 'TOKEN_EXPIRED', 'SESSION_REVOKED'],
} as const satisfies ErrorsByStatus;
/** Every answer may be a bug (500) or meet an unusable configuration (503, lib/http/middleware/config-gate.ts). */
export const ALWAYS_ERRORS = {
  500: ['INTERNAL_ERROR', 'CONFIG_ERROR'],
  503: ['SERVICE_MISCONFIGURED'],
} as const satisfies ErrorsByStatus;
/** Anything that waits on I/O may time out or lose its database. */
export const IO_ERRORS = { 503: ['DATABASE_UNAVAILABLE'], 504: ['TIMEOUT'] } as const satisfies ErrorsByStatus;

/** What a route answers because of what it declares (auth, a body, parameters), besides its own errors. */
export const implicitErrors = (route: {
  auth: boolean;
  body?: unknown;
  query?: unknown;
  path?: unknown;
  usesDatabase: boolean;
}): ErrorsByStatus =>
  mergeErrors(
    route.body ? BODY_ERRORS : {},
    route.query || route.path ? PARAMETER_ERRORS : {},
    route.auth ? AUTH_ERRORS : {},
    ALWAYS_ERRORS,
    route.usesDatabase || route.auth ? IO_ERRORS : {},
  );
