/**
 * The media concern's use cases: list a user's libraries, answer "what is
 * unused in this library", refresh a library's snapshot.
 *
 * Read path, per request: settings → access proof (memory, else one small
 * MongoDB read, re-proved against Plex every few minutes) → snapshot head (one
 * small read by _id) → in-memory snapshot of that exact version (else chunks
 * from MongoDB, once per container and version). Only a missing or expired
 * snapshot touches the upstreams, and concurrent misses share one refresh.
 *
 * Freshness in production comes from the scheduled warmer (warm-cache.ts),
 * which rebuilds every library well within the TTL. A request that finds an
 * expired snapshot (within TTL × SWR_FACTOR) answers it flagged stale; only
 * where work may continue after the response (a long-lived process such as
 * `npm start`, `backgroundRefresh: true`) does it also start a refresh in the
 * background — a Lambda container is frozen right after the response, so
 * there a background refresh would stall half-done until the next invocation.
 * Stale answers are capped: a snapshot older than MAX_STALE_MS is never
 * served because Plex is down (the Plex error is answered instead).
 */
import { randomBytes } from 'node:crypto';
import { reserveAttempt } from '../auth/attempt-limiter';
import { APIError, tooManyRequests } from '../errors';
import { getConfig } from '../config';
import { logger } from '../logger';
import { PlexClient } from '../plex';
import { resolveUserSettings, type ResolvedSettings } from '../settings/resolve';
import { TautulliClient } from '../tautulli';
import { isUpstreamError, type UpstreamError } from '../upstream';
import { AccessResolver, sourcesKeyOf, type PlexCredentials, type SectionInfo, type ServerAccess, type TautulliCredentials } from './access';
import { leaseHeld, releaseLease, tryAcquireLease } from './store/leases';
import { LoadedSnapshot, iso } from './cache/loaded-snapshot';
import { libraryNotFound, plexNotOwner } from './media-errors';
import { SnapshotMemoryCache } from './cache/memory-cache';
import { UNIT_LISTING, buildSnapshot } from './build/build-snapshot';
import { SnapshotStore, SnapshotVersionGone, refKey, type HeadDoc, type LibraryRef } from './store/snapshot-store';
import { JUDGED_TYPES, type JudgedSectionType, type Library, type SnapshotMeta, type SnapshotSources } from './types';

export type CacheState = 'hit' | 'miss' | 'stale';

export interface SnapshotAnswer {
  snapshot: LoadedSnapshot;
  cache: CacheState;
  ageMs: number;
}

export interface UserContext {
  settings: ResolvedSettings;
  plexCreds: PlexCredentials;
  plex: PlexClient;
  tautulli: TautulliClient | null;
  access: ServerAccess;
  scope: string;
  ttlMs: number;
}

export interface LibraryServiceDeps {
  store: SnapshotStore;
  access: AccessResolver;
  memory: SnapshotMemoryCache;
  /** Epoch ms. */
  now: () => number;
  plexClient: (c: PlexCredentials) => PlexClient;
  tautulliClient: (c: TautulliCredentials) => TautulliClient;
  settings: (userId: string) => Promise<ResolvedSettings>;
  /** How long a proof of access is trusted before Plex is asked again. */
  accessMaxAgeMs: number;
  /** How long to wait for another container's refresh before doing it here. */
  leaseWaitMs: number;
  /**
   * May a refresh run after the response was sent (stale-while-revalidate)?
   * False inside Lambda, where the container freezes after the response.
   */
  backgroundRefresh: boolean;
  /** Called before plm contacts a user's servers on their behalf (proofs, forced refreshes); throws to refuse. */
  limitUpstream: (userId: string) => Promise<void>;
}

/** Running as a Lambda function (AWS sets this in every function's environment, serverless-offline too). */
export const runsInLambda = (): boolean => !!getConfig().AWS_LAMBDA_FUNCTION_NAME;

/** Expired snapshots younger than TTL × this are served stale while a refresh runs in the background. */
const SWR_FACTOR = 2;
const LEASE_TTL_MS = 5 * 60_000;
const LEASE_POLL_MS = 200;
/** Plex down is no licence to serve anything: snapshots older than this are not served stale. */
export const MAX_STALE_MS = 7 * 24 * 3600_000;

/**
 * A snapshot built while a configured source was unusable (Tautulli down or
 * implausibly empty) lives this long at most: it must not outlive the outage.
 */
export const DEGRADED_TTL_MS = 60_000;
const isDegraded = (s: SnapshotSources): boolean => s.tautulli === 'unavailable';
/** How long a snapshot with these sources is fresh, given the user's TTL. */
export const lifetimeOf = (s: SnapshotSources, ttlMs: number): number => (isDegraded(s) ? Math.min(ttlMs, DEGRADED_TTL_MS) : ttlMs);

/** Refresh failures after which the last good snapshot may be served, flagged stale. */
const servableStale = (e: unknown): e is APIError => isPlexUnreachable(e) || (e instanceof APIError && e.code === 'PLEX_NOT_OWNER');

/** Plex failures that mean "cannot reach it now", as opposed to "it said no". */
export const isPlexUnreachable = (e: unknown): e is UpstreamError =>
  isUpstreamError(e) && e.service === 'plex' && (e.kind === 'unavailable' || e.kind === 'timeout' || e.kind === 'bad_response');


/** Which Plex history a snapshot built through `access` has. */
const historyScopeOf = (access: Pick<ServerAccess, 'ownership'>): 'ok' | 'own-only' => (access.ownership === 'not-owner' ? 'own-only' : 'ok');

export const metaOf = (h: HeadDoc): SnapshotMeta => ({
  machineIdentifier: h.machineIdentifier,
  sectionId: h.sectionId,
  scope: h.scope,
  sectionType: h.sectionType,
  sectionTitle: h.sectionTitle,
  version: h.version,
  fetchedAt: h.fetchedAt,
  itemCount: h.itemCount,
  totalSizeBytes: h.totalSizeBytes,
  sources: h.sources,
  buildMs: h.buildMs,
  encodedBytes: h.encodedBytes,
});

export class LibraryService {
  private readonly refreshes = new Map<string, Promise<LoadedSnapshot>>();
  private readonly loads = new Map<string, Promise<LoadedSnapshot>>();
  private readonly holder = `${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(readonly deps: LibraryServiceDeps) {}

  /** Settings, clients and a proof that these credentials read the server. */
  async userContext(userId: string, opts: { forceAccess?: boolean; signal?: AbortSignal } = {}): Promise<UserContext> {
    const settings = await this.deps.settings(userId);
    if (!settings.plex) {
      throw new APIError('Plex is not configured: set your Plex URL and token in settings (or PLEX_URL/PLEX_TOKEN on the server)', 409, 'PLEX_NOT_CONFIGURED');
    }
    const plex = this.deps.plexClient(settings.plex);
    const tautulli = settings.tautulli ? this.deps.tautulliClient(settings.tautulli) : null;
    const ttlMs = settings.cacheTtlMinutes * 60_000;
    const access = await this.deps.access.resolve(settings.plex, plex, {
      maxAgeMs: Math.min(ttlMs, this.deps.accessMaxAgeMs),
      force: opts.forceAccess,
      signal: opts.signal,
      now: this.deps.now,
      beforeProve: () => this.deps.limitUpstream(userId),
    });
    return { settings, plexCreds: settings.plex, plex, tautulli, access, scope: sourcesKeyOf(settings.plex, settings.tautulli), ttlMs };
  }

  /** The section, re-reading the section list once if it is unknown (a library created since). */
  async section(ctx: UserContext, id: string, signal?: AbortSignal): Promise<{ ctx: UserContext; section: SectionInfo }> {
    let found = ctx.access.sections.find((s) => s.id === id);
    if (!found && !ctx.access.plexDown && this.deps.now() - ctx.access.verifiedAt > 30_000) {
      const access = await this.deps.access.resolve(ctx.plexCreds, ctx.plex, { maxAgeMs: 0, force: true, signal, now: this.deps.now });
      ctx = { ...ctx, access };
      found = access.sections.find((s) => s.id === id);
    }
    if (!found) throw libraryNotFound(id);
    if (!JUDGED_TYPES.has(found.type)) {
      throw new APIError(`Library ${id} is a ${found.type} library; only movie, show and music libraries can be judged`, 400, 'UNSUPPORTED_LIBRARY_TYPE');
    }
    return { ctx, section: found };
  }

  async listLibraries(userId: string, opts: { refresh?: boolean; signal?: AbortSignal } = {}): Promise<{ libraries: Array<Omit<Library, 'itemCount'> & { itemCount: number | null }>; cache: CacheState }> {
    const ctx = await this.userContext(userId, { forceAccess: opts.refresh, signal: opts.signal });
    const { access } = ctx;
    const heads = new Map(
      (await this.deps.store.listHeads({ machineIdentifier: access.machineIdentifier, scope: ctx.scope })).map((h) => [h.sectionId, h]),
    );
    const excluded = new Set(ctx.settings.excludedLibraryIds);
    const now = this.deps.now();
    const sections = access.sections.filter((s) => !excluded.has(s.id));
    const libraries = await Promise.all(
      sections.map(async (s) => {
        const head = heads.get(s.id);
        let itemCount: number | null = head?.itemCount ?? null;
        if (itemCount === null && !access.plexDown) {
          // No snapshot yet: one cheap count (a 0-item page) so the list is useful before any refresh.
          itemCount = await ctx.plex.getSectionSize(s.id, JUDGED_TYPES.has(s.type) ? UNIT_LISTING[s.type as JudgedSectionType] : undefined, opts.signal).catch((e: unknown) => {
            if (isUpstreamError(e) && e.kind === 'not_found') return 0;
            if (isPlexUnreachable(e)) return null; // the list is still useful without this count
            throw e;
          });
        }
        return {
          id: s.id,
          title: s.title,
          type: s.type,
          itemCount,
          sizeBytes: head ? head.totalSizeBytes : null,
          updatedAt: s.updatedAt === null ? null : iso(s.updatedAt),
          scannedAt: s.scannedAt === null ? null : iso(s.scannedAt),
          cache: { fetchedAt: head ? new Date(head.fetchedAt).toISOString() : null, stale: head ? now - head.fetchedAt >= lifetimeOf(head.sources, ctx.ttlMs) || !!access.plexDown : false },
        };
      }),
    );
    return { libraries, cache: access.plexDown ? 'stale' : 'hit' };
  }

  /** The library's snapshot under the cache policy (see the file comment). */
  async snapshotFor(ctx: UserContext, section: SectionInfo, opts: { refresh?: boolean } = {}): Promise<SnapshotAnswer> {
    const ref: LibraryRef = { machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id, scope: ctx.scope };
    // Fail closed before any sweep: a non-owner token without Tautulli cannot see other accounts' plays.
    if (ctx.access.ownership === 'not-owner' && !ctx.tautulli) throw plexNotOwner();
    const head = await this.deps.store.readHead(ref);
    const { plexDown } = ctx.access;
    const stale = async (h: HeadDoc, cause: APIError): Promise<SnapshotAnswer> => {
      const ageMs = this.deps.now() - h.fetchedAt;
      if (ageMs > MAX_STALE_MS) {
        logger.warn('plex unreachable and the snapshot is too old to serve', { code: cause.code, sectionId: section.id, ageMs });
        throw cause;
      }
      logger.warn('serving a stale snapshot', { code: cause.code, sectionId: section.id, ageMs });
      return this.answer(await this.load(ref, h), 'stale');
    };
    const refreshNow = async (): Promise<SnapshotAnswer> => {
      try {
        return this.answer(await this.refresh(ctx, section), 'miss');
      } catch (e) {
        if (head && servableStale(e)) return stale(head, e);
        throw e;
      }
    };

    if (!head) {
      if (plexDown) throw plexDown;
      return refreshNow();
    }
    if (opts.refresh) return plexDown ? stale(head, plexDown) : refreshNow();
    const age = this.deps.now() - head.fetchedAt;
    const ttlMs = lifetimeOf(head.sources, ctx.ttlMs);
    // A snapshot built when the token's ownership was judged otherwise is rebuilt (its history scope differs).
    const expired = age >= ttlMs || (!plexDown && head.sources.plexHistory !== historyScopeOf(ctx.access));
    if (!expired) return this.answer(await this.load(ref, head), 'hit');
    if (plexDown) return stale(head, plexDown);
    // A degraded snapshot is only answered stale where a refresh really runs behind the answer.
    const swr = !isDegraded(head.sources) || this.deps.backgroundRefresh;
    if (swr && age < ttlMs * SWR_FACTOR && head.sources.plexHistory === historyScopeOf(ctx.access)) {
      // Stale-while-revalidate: answer now; refresh in the background only where the process keeps
      // running after the response (not in Lambda — there the warmer keeps snapshots fresh).
      if (this.deps.backgroundRefresh) {
        this.refresh(ctx, section).catch((e: unknown) => logger.warn('background refresh failed', { sectionId: section.id, error: String(e) }));
      }
      return this.answer(await this.load(ref, head), 'stale');
    }
    return refreshNow();
  }

  /**
   * Rebuilds a library from the upstreams and stores it. Concurrent calls for
   * the same library share one run (single-flight in this container, a lease
   * across containers).
   */
  refresh(ctx: Pick<UserContext, 'plex' | 'tautulli' | 'scope' | 'access'>, section: SectionInfo): Promise<LoadedSnapshot> {
    const ref: LibraryRef = { machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id, scope: ctx.scope };
    const key = refKey(ref);
    let running = this.refreshes.get(key);
    if (!running) {
      running = this.doRefresh(ctx, section, ref).finally(() => this.refreshes.delete(key));
      this.refreshes.set(key, running);
    }
    return running;
  }

  private async doRefresh(ctx: Pick<UserContext, 'plex' | 'tautulli' | 'access'>, section: SectionInfo, ref: LibraryRef): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    const { now } = this.deps;
    // The version current BEFORE the lease attempt: if another container holds the lease, its
    // result is whatever version replaces this one (its fetchedAt is its own sweep start, earlier
    // than ours, so timestamps cannot tell).
    const before = (await this.deps.store.readHead(ref))?.version ?? null;
    const leased = await tryAcquireLease(key, this.holder, LEASE_TTL_MS, undefined, now);
    if (!leased) {
      // Another container is refreshing this library: wait for its result, and stop waiting as soon
      // as the head changes or the lease is gone (its sweep failed, or it died and the lease expired).
      const deadline = now() + this.deps.leaseWaitMs;
      // Bounds the loop even under a clock that does not move (tests inject one).
      for (let polls = Math.ceil(this.deps.leaseWaitMs / LEASE_POLL_MS); polls > 0 && now() < deadline; polls--) {
        await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
        const h = await this.deps.store.readHead(ref);
        if (h && h.version !== before) return this.load(ref, h);
        if (!(await leaseHeld(key, undefined, now))) {
          // The holder flips the head before releasing: look once more, then sweep ourselves.
          const last = await this.deps.store.readHead(ref);
          if (last && last.version !== before) return this.load(ref, last);
          break;
        }
      }
    }
    try {
      const built = await buildSnapshot({
        plex: ctx.plex,
        tautulli: ctx.tautulli,
        sectionId: section.id,
        sectionType: section.type as JudgedSectionType,
        ownerToken: ctx.access.ownership !== 'not-owner',
        machineIdentifier: ref.machineIdentifier,
        now,
      });
      const { head, written } = await this.deps.store.write(
        { ...ref, sectionType: section.type as JudgedSectionType, sectionTitle: section.title, fetchedAt: built.fetchedAt, sources: built.sources, buildMs: built.buildMs },
        built.items,
      );
      const snapshot = written ? new LoadedSnapshot(metaOf(head), built.items) : await this.load(ref, head);
      this.deps.memory.set(key, snapshot);
      logger.info('library refreshed', { sectionId: section.id, items: built.items.length, buildMs: built.buildMs, bytes: head.encodedBytes, tautulli: built.sources.tautulli });
      return snapshot;
    } catch (e) {
      if (isUpstreamError(e) && e.service === 'plex' && e.kind === 'not_found') throw libraryNotFound(section.id);
      throw e;
    } finally {
      if (leased) await releaseLease(key, this.holder).catch(() => undefined);
    }
  }

  /** The snapshot `head` names: from memory if that exact version is there, else from MongoDB (once). */
  private async load(ref: LibraryRef, head: HeadDoc): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    const cached = this.deps.memory.get(key, head.version);
    if (cached) return cached;
    const loadKey = `${key}\n${head.version}`;
    let loading = this.loads.get(loadKey);
    if (!loading) {
      loading = (async () => {
        let h = head;
        for (let attempt = 0; ; attempt++) {
          try {
            const snapshot = new LoadedSnapshot(metaOf(h), await this.deps.store.readItems(h));
            this.deps.memory.set(key, snapshot);
            return snapshot;
          } catch (e) {
            // A writer replaced this version under us: follow the head once more.
            const next = e instanceof SnapshotVersionGone && attempt < 2 ? await this.deps.store.readHead(ref) : null;
            if (!next) throw e;
            h = next;
          }
        }
      })().finally(() => this.loads.delete(loadKey));
      this.loads.set(loadKey, loading);
    }
    return loading;
  }

  private answer(snapshot: LoadedSnapshot, cache: CacheState): SnapshotAnswer {
    return { snapshot, cache, ageMs: Math.max(0, this.deps.now() - snapshot.meta.fetchedAt) };
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
  accessMaxAgeMs: 10 * 60_000,
  leaseWaitMs: 20_000,
  backgroundRefresh: !runsInLambda(),
  limitUpstream: async (userId) => {
    const attempt = await reserveAttempt('upstream', userId, undefined);
    if (attempt.retryAfterSeconds > 0) throw tooManyRequests(attempt.retryAfterSeconds, 'Too many refreshes of your Plex data; try again later');
  },
});

let service: LibraryService | undefined;

/** The container's service (module scope, reused by warm invocations). */
export const getLibraryService = (): LibraryService => (service ??= new LibraryService(defaultDeps()));

/** Tests: install a service with other dependencies (a fixed clock, a small cache…). */
export const setLibraryService = (overrides: Partial<LibraryServiceDeps> = {}): LibraryService => {
  AccessResolver.clearMemo();
  service = new LibraryService({ ...defaultDeps(), ...overrides });
  return service;
};
