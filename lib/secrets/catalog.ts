/**
 * The secrets plm reads, and which deployed function may read which. Pure data:
 * lib/config.ts loads them, serverless/secret-roles.js turns the same table into
 * IAM roles, so the template grants each function exactly what it reads here.
 *
 * Locally they are environment variables (or .env); in AWS each one is the
 * SecureString parameter `${PLM_SSM_PREFIX}/<NAME>` in SSM Parameter Store.
 */
export const SECRET_VARIABLES = [
  'JWT_SECRET',
  'MONGODB_URI',
  'SETTINGS_ENCRYPTION_KEY',
  'SETTINGS_ENCRYPTION_OLD_KEYS',
  'PLEX_TOKEN',
  'TAUTULLI_API_KEY',
] as const;

export type SecretVariable = (typeof SECRET_VARIABLES)[number];

/** Without these a production function that reads them cannot work; the others may be absent. */
export const REQUIRED_SECRETS: readonly SecretVariable[] = ['JWT_SECRET', 'MONGODB_URI', 'SETTINGS_ENCRYPTION_KEY'];

/** Levels of access, smallest first. */
export const SECRET_ACCESS = {
  /** the OpenAPI document, the 404 route */
  none: [],
  /** health: pings the database */
  database: ['MONGODB_URI'],
  /** log in, refresh, log out, change password: users and sessions, signed tokens */
  sessions: ['MONGODB_URI', 'JWT_SECRET'],
  /** media and settings: users' sealed secrets and the server-wide Plex/Tautulli credentials */
  all: SECRET_VARIABLES,
} as const satisfies Record<string, readonly SecretVariable[]>;

export type SecretAccess = keyof typeof SECRET_ACCESS;

/**
 * What each serverless.yml function may read. A function missing here reads
 * nothing (and the template test fails until it is listed).
 */
export const FUNCTION_SECRET_ACCESS: Readonly<Record<string, SecretAccess>> = {
  health: 'database',
  login: 'sessions',
  refresh: 'sessions',
  logout: 'sessions',
  changePassword: 'sessions',
  libraries: 'all',
  unused: 'all',
  refreshStatus: 'all',
  librarySummary: 'all',
  summary: 'all',
  libraryAccounts: 'all',
  keepPut: 'all',
  keepDelete: 'all',
  keepList: 'all',
  settingsGet: 'all',
  settingsPut: 'all',
  settingsVerify: 'all',
  openapi: 'none',
  docs: 'none',
  docsAsset: 'none',
  notFound: 'none',
  warmCache: 'all',
};

/** The IAM role (a logical id in serverless.yml) of each access level; `none` keeps the framework's role. */
export const ROLE_OF_ACCESS: Readonly<Record<Exclude<SecretAccess, 'none'>, string>> = {
  database: 'DatabaseSecretReaderRole',
  sessions: 'SessionSecretReaderRole',
  all: 'AllSecretReaderRole',
};

/** `/plm/prod`: absolute, no trailing slash, the characters SSM allows in a name. */
export const SSM_PREFIX_PATTERN = /^(\/[A-Za-z0-9_.-]+)+$/;

export const parameterNameOf = (prefix: string, variable: SecretVariable): string => `${prefix}/${variable}`;

/**
 * The serverless.yml function a Lambda runs as: serverless names functions
 * `<service>-<stage>-<function>`, and function names have no dash.
 */
export const functionKeyOf = (lambdaFunctionName: string): string => lambdaFunctionName.split('-').at(-1) ?? '';

/** The secrets a function may read; `undefined` (not in a deployed function) means all of them. */
export const secretsReadableBy = (lambdaFunctionName: string | undefined): readonly SecretVariable[] =>
  lambdaFunctionName === undefined
    ? SECRET_VARIABLES
    : SECRET_ACCESS[FUNCTION_SECRET_ACCESS[functionKeyOf(lambdaFunctionName)] ?? 'none'];
