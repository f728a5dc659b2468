/**
 * Who is asking, with what: a user's effective settings, Plex and Tautulli
 * clients built from them, and a proof (memoised, re-checked every few
 * minutes) that these credentials read the Plex server. Every media use case
 * starts here; the warmer uses `connectServer` for credentials without a user.
 */
import { APIError } from '../errors';
import type { PlexClient } from '../plex';
import type { ResolvedSettings } from '../settings/resolve';
import type { TautulliClient } from '../tautulli';
import {
  sourcesKeyOf,
  type AccessResolver,
  type PlexCredentials,
  type SectionInfo,
  type ServerAccess,
  type TautulliCredentials,
} from './access';
import { libraryNotFound } from './media-errors';
import { JUDGED_TYPES } from './types';

/** A server reached through one set of credentials. */
export interface ServerContext {
  plex: PlexClient;
  tautulli: TautulliClient | null;
  access: ServerAccess;
  /** Credential scope of the snapshots built through it (see access.ts sourcesKeyOf). */
  scope: string;
}

export interface UserContext extends ServerContext {
  settings: ResolvedSettings;
  plexCreds: PlexCredentials;
  ttlMs: number;
}

export interface ClientFactory {
  plexClient: (c: PlexCredentials) => PlexClient;
  tautulliClient: (c: TautulliCredentials) => TautulliClient;
}

export interface UserContextDeps extends ClientFactory {
  settings: (userId: string) => Promise<ResolvedSettings>;
  access: AccessResolver;
  /** How long a proof of access is trusted before Plex is asked again. */
  accessMaxAgeMs: number;
  now: () => number;
  /** Called before plm contacts a user's servers on their behalf; throws to refuse. */
  limitUpstream: (userId: string) => Promise<void>;
}

export const resolveUserContext = async (
  deps: UserContextDeps,
  userId: string,
  opts: { forceAccess?: boolean; signal?: AbortSignal } = {},
): Promise<UserContext> => {
  const settings = await deps.settings(userId);
  if (!settings.plex) {
    throw new APIError(
      'Plex is not configured: set your Plex URL and token in settings (or PLEX_URL/PLEX_TOKEN on the server)',
      409,
      'PLEX_NOT_CONFIGURED',
    );
  }
  const plex = deps.plexClient(settings.plex);
  const tautulli = settings.tautulli ? deps.tautulliClient(settings.tautulli) : null;
  const ttlMs = settings.cacheTtlMinutes * 60_000;
  const access = await deps.access.resolve(settings.plex, plex, {
    maxAgeMs: Math.min(ttlMs, deps.accessMaxAgeMs),
    force: opts.forceAccess,
    signal: opts.signal,
    now: deps.now,
    beforeProve: () => deps.limitUpstream(userId),
  });
  return {
    settings,
    plexCreds: settings.plex,
    plex,
    tautulli,
    access,
    scope: sourcesKeyOf(settings.plex, settings.tautulli),
    ttlMs,
  };
};

/** The section, re-reading the section list once if it is unknown (a library created since). */
export const findSection = async (
  deps: Pick<UserContextDeps, 'access' | 'now'>,
  ctx: UserContext,
  id: string,
  signal?: AbortSignal,
): Promise<{ ctx: UserContext; section: SectionInfo }> => {
  let found = ctx.access.sections.find((s) => s.id === id);
  if (!found && !ctx.access.plexDown && deps.now() - ctx.access.verifiedAt > 30_000) {
    const access = await deps.access.resolve(ctx.plexCreds, ctx.plex, {
      maxAgeMs: 0,
      force: true,
      signal,
      now: deps.now,
    });
    ctx = { ...ctx, access };
    found = access.sections.find((s) => s.id === id);
  }
  if (!found) throw libraryNotFound(id);
  if (!JUDGED_TYPES.has(found.type)) {
    throw new APIError(
      `Library ${id} is a ${found.type} library; only movie, show and music libraries can be judged`,
      400,
      'UNSUPPORTED_LIBRARY_TYPE',
    );
  }
  return { ctx, section: found };
};

/** Credentials without a user (the warmer): clients and a fresh proof of access. */
export const connectServer = async (
  deps: Pick<UserContextDeps, 'access' | 'now' | 'plexClient' | 'tautulliClient'>,
  creds: { plex: PlexCredentials; tautulli: TautulliCredentials | null },
): Promise<ServerContext> => {
  const plex = deps.plexClient(creds.plex);
  const tautulli = creds.tautulli ? deps.tautulliClient(creds.tautulli) : null;
  const access = await deps.access.resolve(creds.plex, plex, { maxAgeMs: 0, force: true, now: deps.now });
  return { plex, tautulli, access, scope: sourcesKeyOf(creds.plex, creds.tautulli) };
};
