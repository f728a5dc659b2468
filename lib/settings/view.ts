import type { Effective, EffectiveSecret } from './effective';
import {
  CACHE_TTL_MINUTES,
  DEFAULT_TIMEZONE,
  PLAIN_FIELDS,
  SECRET_FIELDS,
  THRESHOLD_DAYS,
  type MaskedSecret,
  type SettingsField,
  type SettingsView,
  type Source,
} from './schema';

/** last4 is shown only for secrets long enough that 4 characters reveal little. */
export const LAST4_MIN_LENGTH = 12;

export const maskSecret = (secret: EffectiveSecret): MaskedSecret => {
  switch (secret.source) {
    case 'none':
      return { configured: false, source: 'none', last4: null };
    case 'default':
      // The server's own secret: say it exists, reveal nothing of it.
      return { configured: true, source: 'default', last4: null, readable: true };
    case 'user': {
      const stored = secret.stored;
      if (stored.state === 'unreadable')
        return { configured: true, source: 'user', last4: null, readable: false, error: stored.code };
      const last4 = stored.value.length >= LAST4_MIN_LENGTH ? stored.value.slice(-4) : null;
      return { configured: true, source: 'user', last4, readable: true };
    }
  }
};

export const buildView = (effective: Effective, meta: { version: number; updatedAt: Date | null }): SettingsView => {
  const sources = {} as Record<SettingsField, Source>;
  for (const field of PLAIN_FIELDS) sources[field] = effective.plain[field].source;
  for (const field of SECRET_FIELDS) sources[field] = effective.secrets[field].source;
  const p = effective.plain;
  return {
    // The server's own upstreams are its operator's business: a user sees that they exist (source), not where.
    plexUrl: p.plexUrl.source === 'default' ? null : p.plexUrl.value,
    plexToken: maskSecret(effective.secrets.plexToken),
    tautulliUrl: p.tautulliUrl.source === 'default' ? null : p.tautulliUrl.value,
    tautulliApiKey: maskSecret(effective.secrets.tautulliApiKey),
    // preferences always have a built-in default; the fallbacks only satisfy the types
    defaultThresholdDays: p.defaultThresholdDays.value ?? THRESHOLD_DAYS.fallback,
    cacheTtlMinutes: p.cacheTtlMinutes.value ?? CACHE_TTL_MINUTES.min,
    excludedLibraryIds: p.excludedLibraryIds.value ?? [],
    timezone: p.timezone.value ?? DEFAULT_TIMEZONE,
    sources,
    version: meta.version,
    updatedAt: meta.updatedAt ? meta.updatedAt.toISOString() : null,
  };
};
