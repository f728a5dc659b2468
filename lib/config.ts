import { z } from 'zod';
import { baseUrlProblem, normalizeBaseUrl } from './upstream/base-url';

/**
 * The one configuration loader: the environment is parsed with zod once per
 * container, and every module reads settings from here, never process.env.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const intFrom = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/** The server's own upstream URLs: same rules and normal form as users' (loopback allowed). */
const httpUrl = optionalString.pipe(
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = baseUrlProblem(value, { allowLoopback: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform(normalizeBaseUrl)
    .optional(),
);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const durationSeconds = (v: string): number => {
  const [, count, unit] = /^(\d+) ?([smhdw])$/i.exec(v) ?? [];
  return count && unit ? Number(count) * (UNIT_SECONDS[unit.toLowerCase()] ?? 0) : 0;
};

/** "true" or unset, as serverless sets its marker variables. */
const flag = z
  .string()
  .optional()
  .transform((v) => v === 'true');

const DEV_JWT_SECRET = 'plm-local-development-secret-do-not-use-in-production';

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: intFrom(3001, 1, 65535),
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
  UPSTREAM_ALLOW_PRIVATE: optionalString.pipe(z.enum(['true', 'false']).optional()),
  UPSTREAM_TIMEOUT_MS: intFrom(15000, 100, 120000),
  UPSTREAM_RETRIES: intFrom(2, 0, 10),
  UPSTREAM_CONCURRENCY: intFrom(4, 1, 32),
  PLEX_PAGE_SIZE: intFrom(2000, 1, 20000),
  TAUTULLI_PAGE_SIZE: intFrom(2000, 1, 20000),
  CACHE_TTL_MINUTES: intFrom(60, 1, 10080),
  MEDIA_CACHE_MAX_BYTES: intFrom(128 * 1024 * 1024, 1024 * 1024, 2 * 1024 * 1024 * 1024),
  WARMER_CONCURRENCY: intFrom(2, 1, 16),
  /** Set by the Lambda runtime, serverless-offline and `serverless invoke local`. */
  AWS_LAMBDA_FUNCTION_NAME: optionalString,
  /** Set by serverless-offline (`npm start`). */
  IS_OFFLINE: flag,
  /** Set by `serverless invoke local`: a one-shot process that must not keep connections open. */
  IS_LOCAL: flag,
});

export type Env = z.infer<typeof EnvSchema>;

/**
 * Where a variable is set. tests/unit/core/env-files.test.ts holds .env.example
 * and serverless.yml to this: documented ⇔ function, local or deploy; forwarded
 * to the functions ⇔ function or fixed; and no other variable in either file.
 */
export type VariableScope =
  /** a setting of the functions: documented, and forwarded by serverless.yml */
  | 'function'
  /** read by `npm start` or serverless-offline only: documented, never forwarded */
  | 'local'
  /** read by serverless.yml while packaging or deploying: documented, never forwarded */
  | 'deploy'
  /** set to a fixed value by serverless.yml: not a setting, not documented */
  | 'fixed'
  /** set by Lambda, serverless-offline or `invoke local`: neither documented nor forwarded */
  | 'runtime';

/** EnvSchema's variables that are not settings of the functions; every other one is. */
const SCHEMA_EXCEPTIONS: Partial<Record<keyof Env, VariableScope>> = {
  PORT: 'local',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'runtime',
  AWS_LAMBDA_FUNCTION_NAME: 'runtime',
  IS_OFFLINE: 'runtime',
  IS_LOCAL: 'runtime',
};

/** Variables read outside this loader, named so that this file knows every variable plm uses. */
const READ_ELSEWHERE: Record<string, VariableScope> = {
  /** lib/logger.ts: logging must work when this configuration is invalid */
  LOG_LEVEL: 'function',
  POWERTOOLS_SERVICE_NAME: 'fixed',
  NODE_OPTIONS: 'fixed',
  AWS_REGION: 'deploy',
  PLM_WARMER_ENABLED: 'deploy',
  PLM_LAMBDA_PORT: 'local',
  /** scripts/ (npm start) */
  PLM_DATA_DIR: 'local',
  PLM_EMBEDDED_MONGO_PORT: 'local',
  PLM_DEMO_MOVIES: 'local',
  PLM_DEMO_EPISODES: 'local',
  PLM_DEMO_PLEX_PORT: 'local',
  PLM_DEMO_TAUTULLI_PORT: 'local',
};

/** Every environment variable plm knows, with its scope. */
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
export interface Config extends Omit<Env, 'JWT_SECRET' | 'UPSTREAM_ALLOW_PRIVATE' | RuntimeVariables> {
  JWT_SECRET: string;
  /** UPSTREAM_ALLOW_PRIVATE, or isLocal when unset (lib/upstream/network-policy.ts). */
  allowPrivateUpstreams: boolean;
  runtime: Runtime;
  /** Inside a Lambda runtime, real or emulated: the process may freeze once a response is sent. */
  inLambda: boolean;
  /** true for development and test: the embedded store and dev defaults are allowed. */
  isLocal: boolean;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const WEAK_SECRETS = new Set(['secret', 'changeme', 'your_jwt_secret', 'jwt_secret', 'password', DEV_JWT_SECRET]);

/** Parses an environment; throws a ConfigError naming the variable (never its value). */
export const parseConfig = (env: NodeJS.ProcessEnv): Config => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${problems}`);
  }
  const { AWS_LAMBDA_FUNCTION_NAME, IS_OFFLINE, IS_LOCAL, UPSTREAM_ALLOW_PRIVATE, ...e } = parsed.data;
  const runtime = runtimeOf({ AWS_LAMBDA_FUNCTION_NAME, IS_OFFLINE, IS_LOCAL });
  // In real AWS Lambda the production checks always apply, whatever NODE_ENV says:
  // a deploy from a dev shell must not sign with the dev secret.
  const isLocal = e.NODE_ENV !== 'production' && runtime !== 'aws-lambda';
  let secret = e.JWT_SECRET;
  if (!isLocal) {
    if (!secret) throw new ConfigError('JWT_SECRET is required in production (NODE_ENV=production or in AWS Lambda)');
    if (secret.length < 32 || WEAK_SECRETS.has(secret.toLowerCase())) {
      throw new ConfigError(
        'JWT_SECRET is too weak: use at least 32 random characters (e.g. `openssl rand -base64 48`)',
      );
    }
    if (!e.MONGODB_URI) throw new ConfigError('MONGODB_URI is required in production');
    if (!e.SETTINGS_ENCRYPTION_KEY) throw new ConfigError('SETTINGS_ENCRYPTION_KEY is required in production');
  }
  // Cheap hashes are allowed only to keep the test suite fast.
  if (e.NODE_ENV !== 'test' && e.BCRYPT_COST < 12) throw new ConfigError('BCRYPT_COST must be at least 12');
  secret ??= DEV_JWT_SECRET;
  const allowPrivateUpstreams = UPSTREAM_ALLOW_PRIVATE === undefined ? isLocal : UPSTREAM_ALLOW_PRIVATE === 'true';
  return { ...e, JWT_SECRET: secret, allowPrivateUpstreams, runtime, inLambda: runtime !== 'node', isLocal };
};

let cached: Config | undefined;

/** The configuration of this container, parsed on first use. */
export const getConfig = (): Config => (cached ??= parseConfig(process.env));

/** Tests change the environment between cases; this forgets the parsed copy. */
export const resetConfig = (): void => {
  cached = undefined;
};
