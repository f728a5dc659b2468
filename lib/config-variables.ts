import { SECRET_VARIABLES } from './secrets/catalog';

/**
 * Where a variable is set. tests/unit/core/env-files.test.ts holds .env.example
 * and serverless.yml to this: documented ⇔ function, local, deploy or secret; forwarded
 * to the functions ⇔ function or fixed; and no other variable in either file.
 */
export type VariableScope =
  /** a setting of the functions: documented, and forwarded by serverless.yml */
  | 'function'
  /** read by `npm start` or serverless-offline only: documented, never forwarded */
  | 'local'
  /** read by serverless.yml while packaging or deploying: documented, never forwarded */
  | 'deploy'
  /** a secret of the functions: documented (local runs), never forwarded: deployed functions read SSM */
  | 'secret'
  /** set to a fixed value by serverless.yml: not a setting, not documented */
  | 'fixed'
  /** set by Lambda, serverless-offline or `invoke local`: neither documented nor forwarded */
  | 'runtime';

/** EnvSchema's variables that are not settings of the functions; every other one is. */
export const SCHEMA_EXCEPTIONS: Readonly<Record<string, VariableScope>> = {
  PORT: 'local',
  PLM_LAMBDA_PORT: 'local',
  PLM_BUILD_FUNCTION: 'fixed',
  AWS_REGION: 'deploy',
  AWS_ACCESS_KEY_ID: 'runtime',
  AWS_SECRET_ACCESS_KEY: 'runtime',
  AWS_SESSION_TOKEN: 'runtime',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: 'runtime',
  AWS_LAMBDA_FUNCTION_NAME: 'runtime',
  IS_OFFLINE: 'runtime',
  IS_LOCAL: 'runtime',
  ...Object.fromEntries(SECRET_VARIABLES.map((name) => [name, 'secret' as const])),
};

/** Variables read outside lib/config.ts, named so that it knows every variable plm uses. */
export const READ_ELSEWHERE: Readonly<Record<string, VariableScope>> = {
  /** lib/logger.ts: logging must work when this configuration is invalid */
  LOG_LEVEL: 'function',
  POWERTOOLS_SERVICE_NAME: 'fixed',
  NODE_OPTIONS: 'fixed',
  PLM_WARMER_ENABLED: 'deploy',
  /** scripts/ (npm start, npm run serve) */
  PLM_HOST: 'local',
  PLM_DATA_DIR: 'local',
  PLM_DEMO: 'local',
  PLM_EMBEDDED_MONGO_PORT: 'local',
  PLM_DEMO_MOVIES: 'local',
  PLM_DEMO_EPISODES: 'local',
  PLM_DEMO_PLEX_PORT: 'local',
  PLM_DEMO_TAUTULLI_PORT: 'local',
};
