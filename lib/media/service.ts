/**
 * The media concern's wiring: one set of dependencies per container, and the
 * use cases bound to them. Each use case lives in its own module and takes
 * only what it needs:
 *
 *   user-context.ts    settings → clients → proof of access
 *   list-libraries.ts  GET /api/libraries
 *   snapshot-policy.ts which snapshot answers (hit, stale, rebuild)
 *   refresh.ts         single-flight + lease build, memoised loads
 *   library-snapshot.ts  the snapshot a per-library answer starts from
 *   get-unused.ts      GET /api/library/{id}/unused (scope/ for watch scopes, keep/ for kept items)
 *   summary/           GET /api/library/{id}/summary and GET /api/summary
 *   keep/              the keep list: PUT/DELETE /api/library/{id}/keep/{itemId}, GET /api/keep
 *   scope/             watch scopes and GET /api/library/{id}/accounts
 *   warmer.ts          the scheduled refresh of every library
 */
import { spendBudget } from '../auth/attempt-limiter';
import { getConfig } from '../config';
import { tooManyRequests } from '../errors';
import { PlexClient } from '../plex';
import { resolveUserSettings } from '../settings/resolve';
import { TautulliClient } from '../tautulli';
import { AccessResolver, type PlexCredentials, type SectionInfo, type TautulliCredentials } from './access';
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { SnapshotMemoryCache } from './cache/memory-cache';
import { KeepStore } from './keep/keep-store';
import { listLibraries, type LibraryListing } from './list-libraries';
import { SnapshotRefresher, type RefresherDeps } from './refresh';
import { clearAccountsMemo } from './scope/accounts';
import { snapshotFor, type CacheState, type SnapshotAnswer } from './snapshot-policy';
import { SnapshotStore } from './store/snapshot-store';
import {
  connectServer,
  findSection,
  resolveUserContext,
  type ServerContext,
  type UserContext,
  type UserContextDeps,
} from './user-context';

export type { CacheState, SnapshotAnswer } from './snapshot-policy';
export { MAX_STALE_MS, DEGRADED_TTL_MS } from './snapshot-policy';
export type { UserContext } from './user-context';

export interface LibraryServiceDeps extends UserContextDeps, RefresherDeps {
  /**
   * May a refresh run after the response was sent (stale-while-revalidate)?
   * False inside Lambda, where the container freezes after the response.
   */
  backgroundRefresh: boolean;
  /** The users' keep lists (keep/). */
  keeps: KeepStore;
}

/** Running in a Lambda runtime, real or emulated (decided once, in lib/config.ts). */
export const runsInLambda = (): boolean => getConfig().inLambda;

/** The use cases, bound to one container's dependencies. */
export class LibraryService {
  private readonly refresher: SnapshotRefresher;

  constructor(private readonly deps: LibraryServiceDeps) {
    this.refresher = new SnapshotRefresher(deps);
  }

  /** The service's clock (epoch ms). */
  now(): number {
    return this.deps.now();
  }

  /** Refuses (429) when the user has contacted their servers too often on demand. */
  limitUpstream(userId: string): Promise<void> {
    return this.deps.limitUpstream(userId);
  }

  userContext(userId: string, opts: { forceAccess?: boolean; signal?: AbortSignal } = {}): Promise<UserContext> {
    return resolveUserContext(this.deps, userId, opts);
  }

  section(ctx: UserContext, id: string, signal?: AbortSignal): Promise<{ ctx: UserContext; section: SectionInfo }> {
    return findSection(this.deps, ctx, id, signal);
  }

  connectServer(creds: { plex: PlexCredentials; tautulli: TautulliCredentials | null }): Promise<ServerContext> {
    return connectServer(this.deps, creds);
  }

  async listLibraries(
    userId: string,
    opts: { refresh?: boolean; signal?: AbortSignal } = {},
  ): Promise<{ libraries: LibraryListing[]; cache: CacheState }> {
    const ctx = await this.userContext(userId, { forceAccess: opts.refresh, signal: opts.signal });
    return listLibraries(this.deps, ctx, opts.signal);
  }

  snapshotFor(ctx: UserContext, section: SectionInfo, opts: { refresh?: boolean } = {}): Promise<SnapshotAnswer> {
    return snapshotFor({ ...this.deps, refresher: this.refresher }, ctx, section, opts);
  }

  refresh(ctx: ServerContext, section: SectionInfo): Promise<LoadedSnapshot> {
    return this.refresher.refresh(ctx, section);
  }

  /** The users' keep lists. */
  get keeps(): KeepStore {
    return this.deps.keeps;
  }

  /** The snapshot store (the warmer reads heads and cleans orphans). */
  get store(): SnapshotStore {
    return this.deps.store;
  }
}

export const defaultDeps = (): LibraryServiceDeps => ({
  store: new SnapshotStore(),
  access: new AccessResolver(),
  memory: new SnapshotMemoryCache(getConfig().MEDIA_CACHE_MAX_BYTES),
  now: Date.now,
  plexClient: (c) => new PlexClient({ baseUrl: c.url, token: c.token }),
  tautulliClient: (c) => new TautulliClient({ baseUrl: c.url, apiKey: c.apiKey }),
  settings: resolveUserSettings,
  // A token revoked in Plex stops being served from cache within this long.
  accessMaxAgeMs: 60_000,
  leaseWaitMs: 20_000,
  backgroundRefresh: !runsInLambda(),
  keeps: new KeepStore(),
  limitUpstream: async (userId) => {
    const retryAfterSeconds = await spendBudget('upstream', userId);
    if (retryAfterSeconds > 0)
      throw tooManyRequests(retryAfterSeconds, 'Too many refreshes of your Plex data; try again later');
  },
});

let service: LibraryService | undefined;

/** The container's service (module scope, reused by warm invocations). */
export const getLibraryService = (): LibraryService => (service ??= new LibraryService(defaultDeps()));

/** Tests: install a service with other dependencies (a fixed clock, a small cache…). */
export const setLibraryService = (overrides: Partial<LibraryServiceDeps> = {}): LibraryService => {
  AccessResolver.clearMemo();
  clearAccountsMemo();
  service = new LibraryService({ ...defaultDeps(), ...overrides });
  return service;
};
