import { getConfig, type Config } from '../config';
import { APIError } from '../errors';

/**
 * The AES-256-GCM keys for secrets at rest: the current key (encrypts) and the
 * retired ones (still decrypt, so keys can be rotated without losing data).
 * Keys come from the environment only; nothing is ever derived from a default,
 * so a missing key is an explicit, visible state rather than a weak secret.
 */
export interface Keyring {
  /** Id stored beside every new ciphertext. */
  currentId: string;
  /** undefined when SETTINGS_ENCRYPTION_KEY is not set (local runs may omit it). */
  current?: Buffer;
  /** Every key that may decrypt, current included, by id. */
  byId: ReadonlyMap<string, Buffer>;
  /** Why the keyring is unusable (bad key material), never containing key bytes. */
  problem?: string;
}

export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Decodes a 32-byte key given as 64 hex digits or base64/base64url; undefined if it is not one. */
export const decodeKey = (text: string): Buffer | undefined => {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === KEY_BYTES ? bytes : undefined;
};

/** Builds a keyring from the three variables; bad material is reported by variable name, never by value. */
export const buildKeyring = (env: {
  SETTINGS_ENCRYPTION_KEY?: string;
  SETTINGS_ENCRYPTION_KEY_ID: string;
  SETTINGS_ENCRYPTION_OLD_KEYS?: string;
}): Keyring => {
  const byId = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const [index, entry] of (env.SETTINGS_ENCRYPTION_OLD_KEYS ?? '').split(',').entries()) {
    if (!entry.trim()) continue;
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon).trim() : '';
    const key = colon > 0 ? decodeKey(entry.slice(colon + 1)) : undefined;
    if (!KEY_ID.test(id) || !key) {
      problems.push(`SETTINGS_ENCRYPTION_OLD_KEYS entry ${index + 1} is not "id:<32-byte key as base64 or hex>"`);
      continue;
    }
    byId.set(id, key);
  }
  let current: Buffer | undefined;
  if (env.SETTINGS_ENCRYPTION_KEY) {
    current = decodeKey(env.SETTINGS_ENCRYPTION_KEY);
    if (!current)
      problems.push(
        'SETTINGS_ENCRYPTION_KEY must be 32 bytes given as base64 or 64 hex digits (e.g. `openssl rand -base64 32`)',
      );
    else byId.set(env.SETTINGS_ENCRYPTION_KEY_ID, current);
  }
  // A configuration with a malformed key must not half-work: refuse every key.
  if (problems.length)
    return { currentId: env.SETTINGS_ENCRYPTION_KEY_ID, byId: new Map(), problem: problems.join('; ') };
  return { currentId: env.SETTINGS_ENCRYPTION_KEY_ID, current, byId };
};

const cache = new WeakMap<Config, Keyring>();

/** The keyring of the current configuration (re-read after resetConfig()). */
export const getKeyring = (): Keyring => {
  const config = getConfig();
  let ring = cache.get(config);
  if (!ring) {
    ring = buildKeyring(config);
    cache.set(config, ring);
  }
  return ring;
};

/** 503: secrets cannot be stored or read because no usable key is configured. */
export const encryptionUnavailable = (ring: Keyring): APIError =>
  new APIError(
    ring.problem
      ? `Secret storage is misconfigured: ${ring.problem}`
      : 'Secret storage is not configured on this server: set SETTINGS_ENCRYPTION_KEY (32 bytes, base64 or hex) to store tokens',
    503,
    'ENCRYPTION_UNAVAILABLE',
    { expose: true },
  );

/** The key new secrets are sealed with, or a 503 ENCRYPTION_UNAVAILABLE. */
export const requireCurrentKey = (ring: Keyring = getKeyring()): { id: string; key: Buffer } => {
  if (!ring.current || ring.problem) throw encryptionUnavailable(ring);
  return { id: ring.currentId, key: ring.current };
};
