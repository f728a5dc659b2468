import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of plm (AWS Powertools, structured JSON).
 *
 * Secrets are redacted at serialisation time so no caller can leak one by
 * accident: any attribute whose key looks secret is replaced, and secret-bearing
 * query parameters inside strings (URLs in error messages) are masked.
 */
const SECRET_KEY =
  /pass(word)?|secret|token|apikey|api_key|authorization|cookie|ciphertext|encryption|^key$|credential/i;
const SECRET_IN_TEXT = /((?:x-plex-token|apikey|api_key|token|password|secret)=)[^&\s"']+/gi;
const BEARER_IN_TEXT = /(bearer\s+)[A-Za-z0-9._~+/=-]+/gi;
/** "password":"…" inside a JSON string (a raw request body, an echoed upstream answer). */
const SECRET_IN_JSON =
  /("[^"]*(?:pass(?:word)?|secret|token|apikey|api_key|authorization)[^"]*"\s*:\s*")(?:[^"\\]|\\.)*(")/gi;
export const REDACTED = '[REDACTED]';

/** Keys that are safe even though they match SECRET_KEY (counts and flags, not secrets). */
const SAFE_KEYS = new Set(['tokenType', 'tokenUse', 'expiresIn', 'configured', 'secretsConfigured']);

export const redactText = (text: string): string =>
  text
    .replace(SECRET_IN_TEXT, `$1${REDACTED}`)
    .replace(BEARER_IN_TEXT, `$1${REDACTED}`)
    .replace(SECRET_IN_JSON, `$1${REDACTED}$2`);

export const redactReplacer = (key: string, value: unknown): unknown => {
  if (
    key &&
    !SAFE_KEYS.has(key) &&
    SECRET_KEY.test(key) &&
    value !== null &&
    value !== undefined &&
    typeof value !== 'boolean'
  ) {
    return REDACTED;
  }
  if (typeof value === 'string') return redactText(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
};

// The one place that reads the environment directly: the logger must work even
// when the configuration is invalid (that is when its message matters most).
/** The service name of logs and metrics (lib/metrics.ts builds on this set-up). */
export const SERVICE_NAME = process.env.POWERTOOLS_SERVICE_NAME ?? 'plm';

export const logger = new Logger({
  serviceName: SERVICE_NAME,
  logLevel: (process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'WARN' : 'INFO')) as 'INFO',
  jsonReplacerFn: redactReplacer,
});
