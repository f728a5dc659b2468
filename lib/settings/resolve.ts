import { APIError } from '../errors';
import { serverDefaults } from './defaults';
import { resolveEffective, storedStateOf, type EffectiveSecret } from './effective';
import { findSettings } from './repository';
import { CACHE_TTL_MINUTES, DEFAULT_TIMEZONE, THRESHOLD_DAYS, type SecretField } from './schema';

/**
 * What other concerns need to know of a user's settings: the upstreams to read
 * (user's own, else the server-wide env defaults) and their preferences.
 * Secrets here are plaintext in memory only; never log or return them.
 */
export interface ResolvedSettings {
  plex: { url: string; token: string } | null;
  tautulli: { url: string; apiKey: string } | null;
  defaultThresholdDays: number;
  cacheTtlMinutes: number;
  excludedLibraryIds: string[];
  timezone: string;
}

const LABEL: Record<SecretField, string> = { plexToken: 'Plex token', tautulliApiKey: 'Tautulli API key' };

/** 409/503 when a stored secret exists but cannot be opened: the user must re-enter it (or the key be restored). */
export const secretUnreadableError = (
  field: SecretField,
  code: 'SECRET_UNREADABLE' | 'ENCRYPTION_UNAVAILABLE',
  reason: string,
): APIError =>
  code === 'ENCRYPTION_UNAVAILABLE'
    ? new APIError(
        `Your stored ${LABEL[field]} cannot be decrypted: no encryption key is configured on this server`,
        503,
        code,
        {
          details: { field, reason },
          expose: true,
        },
      )
    : new APIError(`Your stored ${LABEL[field]} cannot be decrypted; enter it again in your settings`, 409, code, {
        details: { field, reason },
      });

/** The plaintext of an effective secret, or undefined; throws when it exists but cannot be read. */
export const secretValue = (field: SecretField, secret: EffectiveSecret): string | undefined => {
  if (secret.source === 'none') return undefined;
  if (secret.source === 'default') return secret.value;
  if (secret.stored.state === 'unreadable')
    throw secretUnreadableError(field, secret.stored.code, secret.stored.reason);
  return secret.stored.value;
};

/**
 * The user's stored settings, else the env defaults, field by field. Read from
 * the database on every call (no in-memory cache), so a PUT is visible at once
 * and a changed Plex URL or token changes the fingerprint of the cached views.
 */
export const resolveUserSettings = async (userId: string): Promise<ResolvedSettings> => {
  const doc = await findSettings(userId);
  const effective = resolveEffective(storedStateOf(userId, doc), serverDefaults());
  const p = effective.plain;
  const plexToken = secretValue('plexToken', effective.secrets.plexToken);
  const tautulliKey = secretValue('tautulliApiKey', effective.secrets.tautulliApiKey);
  return {
    plex: p.plexUrl.value && plexToken ? { url: p.plexUrl.value, token: plexToken } : null,
    tautulli: p.tautulliUrl.value && tautulliKey ? { url: p.tautulliUrl.value, apiKey: tautulliKey } : null,
    defaultThresholdDays: p.defaultThresholdDays.value ?? THRESHOLD_DAYS.fallback,
    cacheTtlMinutes: p.cacheTtlMinutes.value ?? CACHE_TTL_MINUTES.min,
    excludedLibraryIds: p.excludedLibraryIds.value ?? [],
    timezone: p.timezone.value ?? DEFAULT_TIMEZONE,
  };
};
