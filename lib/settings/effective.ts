import { getKeyring, type Keyring } from '../crypto/keyring';
import { openSecret, SecretBoxError, type SealedSecret } from '../crypto/secret-box';
import { logger } from '../logger';
import type { ServerDefaults } from './defaults';
import { PLAIN_FIELDS, Settings, type PlainField, type PlainValues, type SecretField, type Source } from './schema';

/** A stored secret after an attempt to open it. */
export type StoredSecret =
  | { state: 'absent' }
  /** `box` is the stored ciphertext; absent for a value not sealed yet (a pending PUT) */
  | { state: 'readable'; value: string; box?: SealedSecret }
  | { state: 'unreadable'; code: 'SECRET_UNREADABLE' | 'ENCRYPTION_UNAVAILABLE'; reason: string; box: unknown };

export type EffectiveSecret =
  | { source: 'none' }
  | { source: 'default'; value: string }
  | { source: 'user'; stored: Exclude<StoredSecret, { state: 'absent' }> };

export interface Effective {
  plain: { [F in PlainField]: { value: PlainValues[F] | null; source: Source } };
  secrets: Record<SecretField, EffectiveSecret>;
}

/** The inputs of resolution: what the user stored (already opened) and the server defaults. */
export interface StoredState {
  values: Partial<PlainValues>;
  secrets: Record<SecretField, StoredSecret>;
}

export const secretContext = (userId: string, field: SecretField) => ({ purpose: 'settings', owner: userId, field });

/** Opens one stored secret; failures become a state, never an exception (GET must keep working). */
export const openStoredSecret = (
  userId: string,
  field: SecretField,
  box: unknown,
  ring: Keyring = getKeyring(),
): StoredSecret => {
  if (box === undefined || box === null) return { state: 'absent' };
  try {
    return { state: 'readable', value: openSecret(box, secretContext(userId, field), ring), box: box as SealedSecret };
  } catch (error) {
    const reason = error instanceof SecretBoxError ? error.reason : 'malformed';
    logger.warn('stored secret could not be opened', { userId, field, reason });
    return {
      state: 'unreadable',
      code: reason === 'no_key' ? 'ENCRYPTION_UNAVAILABLE' : 'SECRET_UNREADABLE',
      reason,
      box,
    };
  }
};

/**
 * Stored documents are data from outside this process: each plain value is
 * re-validated, and an invalid one is ignored (the default applies) rather than
 * trusted or turned into an error.
 */
export const sanitizeStoredValues = (raw: unknown): Partial<PlainValues> => {
  const out: Partial<Record<PlainField, unknown>> = {};
  if (typeof raw !== 'object' || raw === null) return {};
  const record = raw as Record<string, unknown>;
  for (const field of PLAIN_FIELDS) {
    if (!Object.hasOwn(record, field) || record[field] === undefined || record[field] === null) continue;
    const parsed = Settings.shape[field].safeParse(record[field]);
    if (parsed.success) out[field] = parsed.data;
    else logger.warn('ignoring an invalid stored setting', { field });
  }
  return out as Partial<PlainValues>;
};

/**
 * Field by field: the user's value, else the server default. Upstream secrets
 * are special: the server's env token/key is only ever paired with the server's
 * env URL. A user who sets their own URL without their own token gets no token,
 * so nobody can point plm at a host they control and receive the server's secret.
 */
export const resolveEffective = (stored: StoredState, defaults: ServerDefaults): Effective => {
  const plain = {} as Effective['plain'];
  for (const field of PLAIN_FIELDS) {
    const own = stored.values[field];
    const fallback = defaults.plain[field];
    const entry =
      own !== undefined
        ? { value: own, source: 'user' as const }
        : fallback !== undefined
          ? { value: fallback, source: 'default' as const }
          : { value: null, source: 'none' as const };
    (plain as Record<PlainField, unknown>)[field] = entry;
  }
  // The server's Tautulli watches the server's Plex: paired with a Plex of the
  // user's own, its history would be about other media (same rating keys,
  // different items) and make watched media look unused. So it applies only
  // while the user is on the server's Plex.
  if (plain.plexUrl.source === 'user' && plain.tautulliUrl.source === 'default')
    plain.tautulliUrl = { value: null, source: 'none' };
  const secretOf = (field: SecretField, urlSource: Source, envValue: string | undefined): EffectiveSecret => {
    const own = stored.secrets[field];
    if (own.state !== 'absent') return { source: 'user', stored: own };
    if (urlSource === 'default' && envValue !== undefined) return { source: 'default', value: envValue };
    return { source: 'none' };
  };
  return {
    plain,
    secrets: {
      plexToken: secretOf('plexToken', plain.plexUrl.source, defaults.plexToken),
      tautulliApiKey: secretOf('tautulliApiKey', plain.tautulliUrl.source, defaults.tautulliApiKey),
    },
  };
};

/** Opens every secret of a stored document (or of none). */
export const storedStateOf = (
  userId: string,
  doc: { values?: unknown; secrets?: Partial<Record<SecretField, unknown>> } | null,
  ring: Keyring = getKeyring(),
): StoredState => ({
  values: sanitizeStoredValues(doc?.values),
  secrets: {
    plexToken: openStoredSecret(userId, 'plexToken', doc?.secrets?.plexToken, ring),
    tautulliApiKey: openStoredSecret(userId, 'tautulliApiKey', doc?.secrets?.tautulliApiKey, ring),
  },
});
