import { isDeepStrictEqual } from 'node:util';
import type { Keyring } from '../crypto/keyring';
import { needsResealing, sealSecret } from '../crypto/secret-box';
import type { ServerDefaults } from './defaults';
import { secretContext, type StoredState, type StoredSecret } from './effective';
import {
  PLAIN_FIELDS,
  SECRET_FIELDS,
  type PlainValues,
  type SecretField,
  type SettingsField,
  type SettingsUpdate,
} from './schema';

/**
 * Applies a PUT body to the stored state, in plaintext (nothing sealed yet, so
 * verification needs no key). Per field: omitted = keep, null = clear, equal to
 * the stored value = keep. A value equal to the default while the user has none
 * stays "default", so GET's output sent back changes nothing. Secrets: a masked
 * object = keep; the same plaintext as stored = keep (no new ciphertext, no
 * audit noise); a different one replaces it, even an unreadable one.
 */
export const applyUpdate = (
  stored: StoredState,
  input: SettingsUpdate,
  defaults: ServerDefaults,
): { next: StoredState; changed: SettingsField[] } => {
  const values: Partial<Record<keyof PlainValues, unknown>> = { ...stored.values };
  const secrets: Record<SecretField, StoredSecret> = { ...stored.secrets };
  const changed: SettingsField[] = [];

  for (const field of PLAIN_FIELDS) {
    const next = input[field];
    if (next === undefined) continue;
    const own = stored.values[field];
    if (next === null) {
      if (own !== undefined) {
        delete values[field];
        changed.push(field);
      }
      continue;
    }
    if (own !== undefined ? isDeepStrictEqual(own, next) : isDeepStrictEqual(defaults.plain[field], next)) continue;
    values[field] = next;
    changed.push(field);
  }

  for (const field of SECRET_FIELDS) {
    const next = input[field];
    const own = stored.secrets[field];
    if (next === null) {
      if (own.state !== 'absent') changed.push(field);
      secrets[field] = { state: 'absent' };
    } else if (typeof next === 'string' && !(own.state === 'readable' && own.value === next)) {
      secrets[field] = { state: 'readable', value: next };
      changed.push(field);
    }
  }
  return { next: { values: values as Partial<PlainValues>, secrets }, changed };
};

/**
 * The ciphertexts to store for a planned state: new values sealed for
 * (user, field); kept ones stored as read (an unreadable box stays, visible as
 * such, until the user replaces or clears it). Lazy key rotation: a kept secret
 * still under a retired key is re-sealed with the current one.
 */
export const sealSecrets = (
  userId: string,
  state: StoredState,
  ring: Keyring,
): Partial<Record<SecretField, unknown>> => {
  const out: Partial<Record<SecretField, unknown>> = {};
  for (const field of SECRET_FIELDS) {
    const secret = state.secrets[field];
    if (secret.state === 'absent') continue;
    if (secret.state === 'unreadable') out[field] = secret.box;
    else if (secret.box && !needsResealing(secret.box, ring)) out[field] = secret.box;
    else out[field] = sealSecret(secret.value, secretContext(userId, field), ring);
  }
  return out;
};
