import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { getKeyring, requireCurrentKey, type Keyring } from './keyring';

/**
 * AES-256-GCM secret box. Every value gets a fresh random 96-bit IV, carries
 * the id of the key that sealed it (rotation), and is bound through the
 * authenticated data to its context (e.g. user id + field name): a ciphertext
 * copied into another user's document or another field fails to open.
 */
export interface SealedSecret {
  /** format version */
  v: 1;
  kid: string;
  /** base64 */
  iv: string;
  /** base64 ciphertext */
  ct: string;
  /** base64 GCM tag (16 bytes) */
  tag: string;
}

/** Where a secret belongs; part of the authenticated data, never stored in the box. */
export interface SecretContext {
  /** e.g. "settings" */
  purpose: string;
  /** the owner (user id) */
  owner: string;
  /** the field name */
  field: string;
}

export type OpenFailure = 'malformed' | 'unknown_key' | 'no_key' | 'tampered';

/** Opening failed; `reason` tells why without revealing anything about the key or plaintext. */
export class SecretBoxError extends Error {
  readonly reason: OpenFailure;
  constructor(reason: OpenFailure, message: string) {
    super(message);
    this.name = 'SecretBoxError';
    this.reason = reason;
  }
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const aadOf = (ctx: SecretContext, kid: string): Buffer =>
  // NUL separators: no component can contain one, so distinct contexts never collide.
  Buffer.from(['plm-secret-v1', ctx.purpose, ctx.owner, ctx.field, kid].join('\0'), 'utf8');

/** Seals a secret with the current key (503 ENCRYPTION_UNAVAILABLE when there is none). */
export const sealSecret = (plaintext: string, ctx: SecretContext, ring: Keyring = getKeyring()): SealedSecret => {
  const { id, key } = requireCurrentKey(ring);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(ctx, id));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    v: 1,
    kid: id,
    iv: iv.toString('base64'),
    ct: ct.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
  };
};

/** Shape check of a stored box (documents are data from outside this process). */
export const isSealedSecret = (value: unknown): value is SealedSecret => {
  if (typeof value !== 'object' || value === null) return false;
  const box = value as Record<string, unknown>;
  return (
    box.v === 1 &&
    typeof box.kid === 'string' &&
    typeof box.iv === 'string' &&
    typeof box.ct === 'string' &&
    typeof box.tag === 'string' &&
    BASE64.test(box.iv) &&
    BASE64.test(box.ct) &&
    BASE64.test(box.tag)
  );
};

/** Opens a box sealed for `ctx`; throws SecretBoxError when it cannot be (never returns garbage). */
export const openSecret = (box: unknown, ctx: SecretContext, ring: Keyring = getKeyring()): string => {
  if (!isSealedSecret(box)) throw new SecretBoxError('malformed', 'the stored secret is not a valid sealed value');
  const key = ring.byId.get(box.kid);
  if (!key) {
    if (ring.byId.size === 0) throw new SecretBoxError('no_key', 'no encryption key is configured');
    throw new SecretBoxError('unknown_key', `the key "${box.kid}" that sealed this secret is not configured`);
  }
  const iv = Buffer.from(box.iv, 'base64');
  const tag = Buffer.from(box.tag, 'base64');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES)
    throw new SecretBoxError('malformed', 'the stored secret has a bad IV or tag');
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadOf(ctx, box.kid));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(box.ct, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError(
      'tampered',
      'the stored secret failed authentication (altered, or sealed for another user or field)',
    );
  }
};

/** True when the box was sealed with a key other than the current one (re-seal on next write). */
export const needsResealing = (box: SealedSecret, ring: Keyring = getKeyring()): boolean =>
  ring.current !== undefined && box.kid !== ring.currentId;
