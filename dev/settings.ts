import type { ResolvedSettings } from '../lib/settings/resolve';

/**
 * A user's resolved settings for the given servers, with the built-in rules
 * (90 days, 60-minute cache, no excluded library, UTC): what the media tests
 * and the benchmarks hand the library service instead of stored settings.
 */
export const resolvedSettings = (
  servers: Pick<ResolvedSettings, 'plex' | 'tautulli'>,
  overrides: Partial<ResolvedSettings> = {},
): ResolvedSettings => ({
  ...servers,
  defaultThresholdDays: 90,
  cacheTtlMinutes: 60,
  excludedLibraryIds: [],
  timezone: 'UTC',
  ...overrides,
});
