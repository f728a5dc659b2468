import { z } from 'zod';
import { logger } from './logger';
import { REQUIRED_SECRETS, SECRET_VARIABLES, SSM_PREFIX_PATTERN, type SecretVariable } from './secrets/catalog';
import { buildFromParameterStore, forgetSecrets } from './secrets/load';
import { READ_ELSEWHERE, SCHEMA_EXCEPTIONS, type VariableScope } from './config-variables';
import { ConfigError, KEY_WITH_ID, durationSeconds, flag, httpUrl, intFrom, optionalString } from './config-fields';

/**
 * The one configuration loader: the environment is parsed with zod once per
 * container, and every module reads settings from here, never process.env.
 * With PLM_SSM_PREFIX set (deployed functions), the secrets come from SSM
 * Parameter Store instead (lib/secrets/), read by loadConfig() before any work.
 */
const DEV_JWT_SECRET = 'plm-local-development-secret-do-not-use-in-production';

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: intFrom(3001, 1, 65535),
  /** Where the secrets are in SSM Parameter Store (`/plm/prod` → `/plm/prod/JWT_SECRET`…); unset: the environment. */
  PLM_SSM_PREFIX: optionalString.pipe(
    z.string().regex(SSM_PREFIX_PATTERN, 'must be a path such as /plm/prod (no trailing slash)').optional(),
  ),
  MONGODB_URI: optionalString,
  MONGODB_DB: z.string().trim().min(1).default('plm'),
  JWT_SECRET: optionalString,
  JWT_EXPIRY: z
    .string()
    .trim()
    // A unit is required: jsonwebtoken reads a bare number as milliseconds... or seconds, depending on type.
    .regex(/^\d+ ?[smhdw]$/i, 'must be a duration with a unit, such as 15m, 24h or 7d')
    .refine((v) => durationSeconds(v) >= 60, 'must be at least 60s')
    .default('24h'),
  JWT_ISSUER: z.string().default('plm'),
  JWT_AUDIENCE: z.string().default('plm-api'),
  REFRESH_TOKEN_TTL_DAYS: intFrom(30, 1, 365),
  BCRYPT_COST: intFrom(12, 4, 15),
  PLEX_URL: httpUrl,
  PLEX_TOKEN: optionalString,
  TAUTULLI_URL: httpUrl,
  TAUTULLI_API_KEY: optionalString,
  /** Current AES-256-GCM key for secrets at rest: 32 bytes, base64 or hex. */
  SETTINGS_ENCRYPTION_KEY: optionalString,
  /** Id stored beside each ciphertext so keys can be rotated. */
  SETTINGS_ENCRYPTION_KEY_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/)
    .default('k1'),
  /** Retired keys still accepted for decryption: "id:key,id:key". */
  SETTINGS_ENCRYPTION_OLD_KEYS: optionalString,
  CORS_ALLOWED_ORIGINS: z
    .string()
    .default('http://localhost:3000,http://127.0.0.1:3000')
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** Login throttling (lib/auth/login-throttle.ts): free failures per (user, IP), per IP, per account. */
  LOGIN_MAX_FAILURES_PER_USER: intFrom(5, 1, 1000),
  LOGIN_MAX_FAILURES_PER_IP: intFrom(20, 1, 100000),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: intFrom(50, 1, 100000),
  /** The longest back-off wait, and the window of the per-user call budgets. */
  LOGIN_FAILURE_WINDOW_SECONDS: intFrom(900, 10, 86400),
  MEMORY_WARN_RATIO: z.coerce.number().min(0.1).max(1).default(0.8),
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: intFrom(1024, 128, 10240),
  /**
   * May users' Plex/Tautulli URLs point at loopback, private (LAN), CGNAT (Tailscale) or ULA
   * addresses? "true" on a self-hosted plm beside its Plex; unset: only in development and test.
   */
  UPSTREAM_ALLOW_LAN: optionalString.pipe(z.enum(['true', 'false']).optional()),
  UPSTREAM_TIMEOUT_MS: intFrom(15000, 100, 120000),
  UPSTREAM_RETRIES: intFrom(2, 0, 10),
  UPSTREAM_CONCURRENCY: intFrom(4, 1, 32),
  PLEX_PAGE_SIZE: intFrom(2000, 1, 20000),
  TAUTULLI_PAGE_SIZE: intFrom(2000, 1, 20000),
  CACHE_TTL_MINUTES: intFrom(60, 1, 10080),
  MEDIA_CACHE_MAX_BYTES: intFrom(128 * 1024 * 1024, 1024 * 1024, 2 * 1024 * 1024 * 1024),
  WARMER_CONCURRENCY: intFrom(2, 1, 16),
  /** The function a request hands a long library build to (serverless.yml sets it; lib/media/build/handoff.ts). */
  PLM_BUILD_FUNCTION: optionalString,
  /** serverless-offline's Lambda endpoint, where `npm start` hands builds to (default 3002, as serverless.yml). */
  PLM_LAMBDA_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Set by the Lambda runtime: the region and the role's credentials the build function is invoked with. */
  AWS_REGION: optionalString,
  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_SESSION_TOKEN: optionalString,
  /** Set by the Lambda runtime, serverless-offline and `serverless invoke local`. */
  AWS_LAMBDA_FUNCTION_NAME: optionalString,
  /** Set by serverless-offline (`npm start`). */
  IS_OFFLINE: flag,
  /** Set by `serverless invoke local`: a one-shot process that must not keep connections open. */
  IS_LOCAL: flag,
});

export type Env = z.infer<typeof EnvSchema>;

export type { VariableScope } from './config-variables';

/** Every environment variable plm knows, with its scope (lib/config-variables.ts). */
export const ENV_VARIABLES: Readonly<Record<string, VariableScope>> = {
  ...Object.fromEntries(Object.keys(EnvSchema.shape).map((name) => [name, 'function' as const])),
  ...SCHEMA_EXCEPTIONS,
  ...READ_ELSEWHERE,
};

/**
 * Where this process runs, decided here and nowhere else:
 * - `aws-lambda`: a real Lambda function; the production checks always apply;
 * - `serverless-offline`: `npm start`; a Lambda-like process that may run with dev defaults;
 * - `invoke-local`: `serverless invoke local`; one-shot, must close its connections;
 * - `node`: anything else (tests, scripts, benchmarks).
 */
export type Runtime = 'aws-lambda' | 'serverless-offline' | 'invoke-local' | 'node';

type RuntimeVariables = 'AWS_LAMBDA_FUNCTION_NAME' | 'IS_OFFLINE' | 'IS_LOCAL';

const runtimeOf = (e: Pick<Env, RuntimeVariables>): Runtime => {
  if (e.IS_LOCAL) return 'invoke-local';
  if (!e.AWS_LAMBDA_FUNCTION_NAME) return 'node';
  return e.IS_OFFLINE ? 'serverless-offline' : 'aws-lambda';
};

/** The runtime's own variables are read only through `runtime`. */
export interface Config extends Omit<Env, 'JWT_SECRET' | 'UPSTREAM_ALLOW_LAN' | RuntimeVariables> {
  JWT_SECRET: string;
  /** UPSTREAM_ALLOW_LAN, or isLocal when unset (lib/upstream/network-policy.ts). */
  allowPrivateUpstreams: boolean;
  runtime: Runtime;
  /** Inside a Lambda runtime, real or emulated: the process may freeze once a response is sent. */
  inLambda: boolean;
  /** true for development and test: the embedded store and dev defaults are allowed. */
  isLocal: boolean;
}

export { ConfigError };

const WEAK_SECRETS = new Set(['secret', 'changeme', 'your_jwt_secret', 'jwt_secret', 'password', DEV_JWT_SECRET]);

/** Production's checks, for the secrets this function may read (each function reads only what it needs). */
const checkProductionSecrets = (e: Omit<Env, RuntimeVariables>, readable: readonly SecretVariable[]): void => {
  const needs = (name: SecretVariable) => readable.includes(name) && REQUIRED_SECRETS.includes(name);
  const secret = e.JWT_SECRET;
  if (needs('JWT_SECRET')) {
    if (!secret) throw new ConfigError('JWT_SECRET is required in production (NODE_ENV=production or in AWS Lambda)');
    if (secret.length < 32 || WEAK_SECRETS.has(secret.toLowerCase())) {
      throw new ConfigError(
        'JWT_SECRET is too weak: use at least 32 random characters (e.g. `openssl rand -base64 48`)',
      );
    }
  }
  if (needs('MONGODB_URI') && !e.MONGODB_URI) throw new ConfigError('MONGODB_URI is required in production');
  if (needs('SETTINGS_ENCRYPTION_KEY') && !e.SETTINGS_ENCRYPTION_KEY)
    throw new ConfigError('SETTINGS_ENCRYPTION_KEY is required in production');
};

/**
 * Parses an environment; throws a ConfigError naming the variable (never its value).
 * `readable`: the secrets this function may read; reading JWT_SECRET when it may
 * not throws a ConfigError (a function given too little access fails loudly).
 */
export const parseConfig = (env: NodeJS.ProcessEnv, readable: readonly SecretVariable[] = SECRET_VARIABLES): Config => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${problems}`);
  }
  const { AWS_LAMBDA_FUNCTION_NAME, IS_OFFLINE, IS_LOCAL, UPSTREAM_ALLOW_LAN, ...e } = parsed.data;
  const runtime = runtimeOf({ AWS_LAMBDA_FUNCTION_NAME, IS_OFFLINE, IS_LOCAL });
  // In real AWS Lambda the production checks always apply, whatever NODE_ENV says:
  // a deploy from a dev shell must not sign with the dev secret.
  const isLocal = e.NODE_ENV !== 'production' && runtime !== 'aws-lambda';
  if (!isLocal) checkProductionSecrets(e, readable);
  // Cheap hashes are allowed only to keep the test suite fast.
  if (e.NODE_ENV !== 'test' && e.BCRYPT_COST < 12) throw new ConfigError('BCRYPT_COST must be at least 12');
  const [, keyId, key] = KEY_WITH_ID.exec(e.SETTINGS_ENCRYPTION_KEY ?? '') ?? [];
  if (keyId && key) Object.assign(e, { SETTINGS_ENCRYPTION_KEY_ID: keyId, SETTINGS_ENCRYPTION_KEY: key });
  const config: Config = {
    ...e,
    JWT_SECRET: e.JWT_SECRET ?? DEV_JWT_SECRET,
    allowPrivateUpstreams: UPSTREAM_ALLOW_LAN === undefined ? isLocal : UPSTREAM_ALLOW_LAN === 'true',
    runtime,
    inLambda: runtime !== 'node',
    isLocal,
  };
  if (!readable.includes('JWT_SECRET')) {
    Object.defineProperty(config, 'JWT_SECRET', {
      get: () => {
        throw new ConfigError(`JWT_SECRET is not readable by ${AWS_LAMBDA_FUNCTION_NAME}: see lib/secrets/catalog.ts`);
      },
    });
  }
  return config;
};

let cached: Config | undefined;
let reported: string | undefined;

const ssmPrefix = (): string | undefined => process.env.PLM_SSM_PREFIX?.trim() || undefined;

/** The configuration of this container, parsed on first use (after loadConfig() when secrets are in SSM). */
export const getConfig = (): Config => {
  if (cached) return cached;
  if (ssmPrefix())
    throw new ConfigError('PLM_SSM_PREFIX is set: the secrets are in SSM Parameter Store, so call loadConfig() first');
  cached = parseConfig(process.env);
  return cached;
};

/**
 * The configuration for a request or a job. With PLM_SSM_PREFIX, the secrets are
 * read from SSM Parameter Store, and read again once their cache time has passed
 * (a rotated secret takes effect without a redeploy). A failure is logged once
 * per container for each distinct cause, then thrown as a ConfigError.
 */
export const loadConfig = async (): Promise<Config> => {
  const prefix = ssmPrefix();
  try {
    if (!prefix) return getConfig();
    cached = await buildFromParameterStore(prefix, process.env, parseConfig);
    return cached;
  } catch (error) {
    if (prefix) cached = undefined;
    const message = error instanceof Error ? error.message : String(error);
    if (message !== reported) logger.error('plm is misconfigured', { cause: message });
    reported = message;
    throw error instanceof ConfigError ? error : new ConfigError(message);
  }
};

/** The configuration if this container has a usable one (answers still get their headers when it has not). */
export const usableConfig = (): Config | undefined => {
  try {
    return getConfig();
  } catch {
    return undefined;
  }
};

/** Tests change the environment between cases; this forgets the parsed copy and the secrets read. */
export const resetConfig = (): void => {
  cached = undefined;
  reported = undefined;
  forgetSecrets();
};
