import { getConfig } from '../config';
import { DEFAULT_TIMEZONE, THRESHOLD_DAYS, type PlainValues } from './schema';

/** The server-wide fallbacks: env variables for the upstreams, built-in values for preferences. */
export interface ServerDefaults {
  plain: { [F in keyof PlainValues]: PlainValues[F] | undefined };
  plexToken?: string;
  tautulliApiKey?: string;
}

export const serverDefaults = (): ServerDefaults => {
  const c = getConfig();
  return {
    plain: {
      plexUrl: c.PLEX_URL,
      tautulliUrl: c.TAUTULLI_URL,
      defaultThresholdDays: THRESHOLD_DAYS.fallback,
      cacheTtlMinutes: c.CACHE_TTL_MINUTES,
      excludedLibraryIds: [],
      timezone: DEFAULT_TIMEZONE,
    },
    plexToken: c.PLEX_TOKEN,
    tautulliApiKey: c.TAUTULLI_API_KEY,
  };
};
