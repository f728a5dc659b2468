import { getConfig } from '../config';

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

/**
 * PLACEHOLDER (env defaults only) until the settings concern lands: it will read
 * the user's stored settings and fall back to these defaults field by field.
 */
export const resolveUserSettings = async (_userId: string): Promise<ResolvedSettings> => {
  const c = getConfig();
  return {
    plex: c.PLEX_URL && c.PLEX_TOKEN ? { url: c.PLEX_URL, token: c.PLEX_TOKEN } : null,
    tautulli: c.TAUTULLI_URL && c.TAUTULLI_API_KEY ? { url: c.TAUTULLI_URL, apiKey: c.TAUTULLI_API_KEY } : null,
    defaultThresholdDays: 90,
    cacheTtlMinutes: c.CACHE_TTL_MINUTES,
    excludedLibraryIds: [],
    timezone: 'UTC',
  };
};
