/**
 * Values serverless.yml computes from the environment (read with ${file(...)}).
 * CORS_ALLOWED_ORIGINS is a comma-separated list; API Gateway wants a YAML list,
 * and it must match what the app itself allows (lib/config.ts parses the same variable).
 */
const DEFAULT_ORIGINS = 'http://localhost:3000,http://127.0.0.1:3000';

module.exports.corsOrigins = () =>
  (process.env.CORS_ALLOWED_ORIGINS || DEFAULT_ORIGINS)
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
