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
import { getDb } from '../db/client';
import { tooManyRequests } from '../errors';
import { PlexClient } from '../plex';
import { resolveUserSettings } from '../settings/resolve';
import { TautulliClient } from '../tautulli';
import { AccessResolver, type PlexCredentials, type SectionInfo, type TautulliCredentials } from './access';
import type { BuildOnRequestDeps, BuildRequest } from './build-on-request';
import { readStatus, type BuildStatus } from './build-status';
import { buildHandoff } from './build/handoff';
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { SnapshotMemoryCache } from './cache/memory-cache';
import { KeepStore } from './keep/keep-store';
import { listLibraries, type LibraryListing } from './list-libraries';
import { SnapshotRefresher, refOf, type RefresherDeps } from './refresh';
import { clearAccountsMemo } from './scope/accounts';
import { snapshotFor, type CacheState, type SnapshotAnswer } from './snapshot-policy';
import { BuildLeases } from './store/leases';
import { recordError } from './store/recorded-error';
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

export interface LibraryServiceDeps
  extends UserContextDeps,
    RefresherDeps,
    Pick<BuildOnRequestDeps, 'handoff' | 'buildWaitMs'> {
  /**
   * May a refresh run after the response was sent (stale-while-revalidate,
   * builds past a request's budget)? False inside Lambda, where the container
   * freezes after the response; there long builds are handed off instead.
   */
  backgroundRefresh: boolean;
  /** The users' keep lists (keep/). */
  keeps: KeepStore;
}

/** How long a request waits for a build before answering 202 (the first request on a big library answers in ~1-2 s). */
export const BUILD_WAIT_MS = 1_000;

/** Running in a Lambda runtime, real or emulated (decided once, in lib/config.ts). */
export const runsInLambda = (): boolean => getConfig().inLambda;

/** The use cases, bound to one container's dependencies. */
export class LibraryService {
  private readonly refresher: SnapshotRefresher;
  /** Judged by the service's clock, like everything else here. */
  private readonly leases: BuildLeases;

  constructor(private readonly deps: LibraryServiceDeps) {
    this.leases = new BuildLeases(getDb, () => deps.now());
    this.refresher = new SnapshotRefresher(deps, this.leases);
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

  snapshotFor(
    ctx: UserContext,
    section: SectionInfo,
    opts: { refresh?: boolean; userId?: string; signal?: AbortSignal } = {},
  ): Promise<SnapshotAnswer> {
    return snapshotFor({ ...this.deps, refresher: this.refresher, leases: this.leases }, ctx, section, opts);
  }

  refresh(
    ctx: ServerContext,
    section: SectionInfo,
    opts: { signal?: AbortSignal; keep?: boolean } = {},
  ): Promise<LoadedSnapshot> {
    return this.refresher.refresh(ctx, section, opts);
  }

  /** Where the library's build stands (GET /api/library/{id}/refresh). */
  async buildStatus(ctx: ServerContext, section: SectionInfo): Promise<BuildStatus> {
    return readStatus({ ...this.deps, leases: this.leases }, section.id, refOf(ctx, section));
  }

  /**
   * The build function's side of a handoff: builds the library under the lease the request took,
   * unless another build holds it. A failure before the build started frees the library with its reason.
   */
  async buildRequested(req: BuildRequest, opts: { signal?: AbortSignal } = {}): Promise<LoadedSnapshot | null> {
    try {
      const { ctx, section } = await this.section(await this.userContext(req.userId), req.sectionId);
      const build = { holder: req.lease.holder, signal: opts.signal, keep: false }; // it answers no requests
      return await this.refresher.buildUnlessBuilding(ctx, section, build);
    } catch (e) {
      const end = { outcome: 'failed' as const, error: recordError(e) };
      await this.leases.release(req.lease.key, req.lease.holder, end).catch(() => undefined);
      throw e;
    }
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
  handoff: buildHandoff(getConfig()),
  buildWaitMs: BUILD_WAIT_MS,
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
