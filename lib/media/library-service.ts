/**
 * The media concern's use cases: list a user's libraries, answer "what is
 * unused in this library", refresh a library's snapshot.
 *
 * Read path, per request: settings → access proof (memory, else one small
 * MongoDB read, re-proved against Plex every few minutes) → snapshot head (one
 * small read by _id) → in-memory snapshot of that exact version (else chunks
 * from MongoDB, once per container and version). Only a missing or expired
 * snapshot touches the upstreams, and concurrent misses share one refresh.
 */
import { randomBytes } from 'node:crypto';
import { APIError, notFound } from '../errors';
import { getConfig } from '../config';
import { logger } from '../logger';
import { PlexClient } from '../plex';
import { resolveUserSettings, type ResolvedSettings } from '../settings/resolve';
import { TautulliClient } from '../tautulli';
import { isUpstreamError, type UpstreamError } from '../upstream';
import { AccessResolver, sourcesKeyOf, type PlexCredentials, type SectionInfo, type ServerAccess, type TautulliCredentials } from './access';
import { releaseLease, tryAcquireLease } from './leases';
import { LoadedSnapshot } from './loaded-snapshot';
import { SnapshotMemoryCache } from './memory-cache';
import { buildSnapshot } from './snapshot-builder';
import { SnapshotStore, SnapshotVersionGone, refKey, type HeadDoc, type LibraryRef } from './snapshot-store';
import type { JudgedSectionType, Library, SnapshotMeta } from './types';

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
}

const JUDGED: ReadonlySet<string> = new Set<JudgedSectionType>(['movie', 'show', 'artist']);
/** Expired snapshots younger than TTL × this are served stale while a refresh runs in the background. */
const SWR_FACTOR = 2;
const LEASE_TTL_MS = 5 * 60_000;
const UNIT_LISTING: Record<string, number | undefined> = { movie: 1, show: 2, artist: 9 };

/** Plex failures that mean "cannot reach it now", as opposed to "it said no". */
export const isPlexUnreachable = (e: unknown): e is UpstreamError =>
  isUpstreamError(e) && e.service === 'plex' && (e.kind === 'unavailable' || e.kind === 'timeout' || e.kind === 'bad_response');

const libraryNotFound = (id: string) => notFound(`Library ${id} does not exist on your Plex server`, 'LIBRARY_NOT_FOUND');

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

const iso = (seconds: number | null): string | null => (seconds === null ? null : new Date(seconds * 1000).toISOString());

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
    if (!JUDGED.has(found.type)) {
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
          itemCount = await ctx.plex.getSectionSize(s.id, UNIT_LISTING[s.type], opts.signal).catch((e: unknown) => {
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
          updatedAt: iso(s.updatedAt),
          scannedAt: iso(s.scannedAt),
          cache: { fetchedAt: head ? new Date(head.fetchedAt).toISOString() : null, stale: head ? now - head.fetchedAt >= ctx.ttlMs || !!access.plexDown : false },
        };
      }),
    );
    return { libraries, cache: access.plexDown ? 'stale' : 'hit' };
  }

  /** The library's snapshot under the cache policy (see the file comment). */
  async snapshotFor(ctx: UserContext, section: SectionInfo, opts: { refresh?: boolean } = {}): Promise<SnapshotAnswer> {
    const ref: LibraryRef = { machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id, scope: ctx.scope };
    const head = await this.deps.store.readHead(ref);
    const { plexDown } = ctx.access;
    const stale = async (h: HeadDoc, cause: UpstreamError): Promise<SnapshotAnswer> => {
      logger.warn('serving a stale snapshot', { code: cause.code, sectionId: section.id, ageMs: this.deps.now() - h.fetchedAt });
      return this.answer(await this.load(ref, h), 'stale');
    };
    const refreshNow = async (): Promise<SnapshotAnswer> => {
      try {
        return this.answer(await this.refresh(ctx, section), 'miss');
      } catch (e) {
        if (head && isPlexUnreachable(e)) return stale(head, e);
        throw e;
      }
    };

    if (!head) {
      if (plexDown) throw plexDown;
      return refreshNow();
    }
    if (opts.refresh) return plexDown ? stale(head, plexDown) : refreshNow();
    const age = this.deps.now() - head.fetchedAt;
    // A snapshot built without Tautulli is not good enough for a user who has one configured.
    const expired = age >= ctx.ttlMs || (ctx.tautulli !== null && head.sources.tautulli === 'unconfigured');
    if (!expired) return this.answer(await this.load(ref, head), 'hit');
    if (plexDown) return stale(head, plexDown);
    if (age < ctx.ttlMs * SWR_FACTOR) {
      // Stale-while-revalidate: answer now, refresh once in the background (errors only logged).
      this.refresh(ctx, section).catch((e: unknown) => logger.warn('background refresh failed', { sectionId: section.id, error: String(e) }));
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

  private async doRefresh(ctx: Pick<UserContext, 'plex' | 'tautulli'>, section: SectionInfo, ref: LibraryRef): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    const startedAt = this.deps.now();
    const leased = await tryAcquireLease(key, this.holder, LEASE_TTL_MS);
    if (!leased) {
      // Another container is refreshing this library: wait a little for its result.
      const deadline = Date.now() + this.deps.leaseWaitMs;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const h = await this.deps.store.readHead(ref);
        if (h && h.fetchedAt >= startedAt - 1000) return this.load(ref, h);
      }
    }
    try {
      const built = await buildSnapshot({ plex: ctx.plex, tautulli: ctx.tautulli, sectionId: section.id, sectionType: section.type as JudgedSectionType, now: this.deps.now });
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
