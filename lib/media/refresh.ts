/**
 * Building and loading snapshots, each at most once at a time: a refresh is
 * shared by concurrent callers in this container (single-flight) and guarded
 * by a lease in MongoDB across containers (store/leases.ts); a load of a
 * stored version is shared the same way and kept in the container's memory
 * cache.
 *
 * The lease is short (LEASE_TTL_MS) and renewed by a heartbeat that also
 * publishes the build's progress, so a builder that dies frees the library
 * within seconds; a build that stops (abort, failure) releases it at once and
 * records how it ended, for whoever asks next.
 */
import { randomBytes } from 'node:crypto';
import { logger } from '../logger';
import { recordBuild } from '../metrics';
import { isUpstreamError } from '../upstream';
import type { SectionInfo } from './access';
import { buildSnapshot } from './build/build-snapshot';
import { LoadedSnapshot } from './cache/loaded-snapshot';
import type { SnapshotMemoryCache } from './cache/memory-cache';
import { libraryNotFound } from './media-errors';
import { recordError } from './store/recorded-error';
import type { BuildEnd, BuildLeases, BuildProgress } from './store/leases';
import {
  SnapshotVersionGone,
  metaOf,
  refKey,
  type HeadDoc,
  type LibraryRef,
  type SnapshotStore,
} from './store/snapshot-store';
import type { JudgedSectionType } from './types';
import type { ServerContext } from './user-context';

/** A builder that stops renewing loses the library this long after its last heartbeat. */
export const LEASE_TTL_MS = 15_000;
const LEASE_POLL_MS = 200;

export interface RefresherDeps {
  store: SnapshotStore;
  memory: SnapshotMemoryCache;
  now: () => number;
  /** How long to wait for another container's refresh before doing it here. */
  leaseWaitMs: number;
}

export interface RefreshOptions {
  /** Stops the build; its lease is released at once (outcome 'aborted'). */
  signal?: AbortSignal;
  /** Build under this lease holder (one a request took on the build's behalf, see build-on-request.ts). */
  holder?: string;
  /** Keep the built snapshot in memory (default; not where no request is answered: warmer, build function). */
  keep?: boolean;
}

export const refOf = (ctx: ServerContext, section: SectionInfo): LibraryRef => ({
  machineIdentifier: ctx.access.machineIdentifier,
  sectionId: section.id,
  scope: ctx.scope,
});

export class SnapshotRefresher {
  private readonly refreshes = new Map<string, Promise<LoadedSnapshot | null>>();
  private readonly loads = new Map<string, Promise<LoadedSnapshot>>();
  private readonly holder = `${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly deps: RefresherDeps,
    private readonly leases: BuildLeases,
  ) {}

  /**
   * Rebuilds a library from the upstreams and stores it; concurrent calls share one run. When
   * another container is building it, waits for its result (up to leaseWaitMs) before building here.
   */
  async refresh(ctx: ServerContext, section: SectionInfo, opts: RefreshOptions = {}): Promise<LoadedSnapshot> {
    const built = await this.run(ctx, section, { ...opts, waitForOthers: true });
    if (!built) throw new Error('a waiting refresh always builds or loads'); // waitForOthers never yields null
    return built;
  }

  /** The handed-off build (a build function's invocation): null, doing nothing, when another build holds the lease. */
  buildUnlessBuilding(ctx: ServerContext, section: SectionInfo, opts: RefreshOptions = {}) {
    return this.run(ctx, section, { ...opts, waitForOthers: false });
  }

  /** The snapshot `head` names: from memory if that exact version is there, else from MongoDB (once). */
  load(ref: LibraryRef, head: HeadDoc): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    const cached = this.deps.memory.get(key, head.version);
    if (cached) return Promise.resolve(cached);
    const loadKey = `${key}\n${head.version}`;
    let loading = this.loads.get(loadKey);
    if (!loading) {
      loading = this.readFollowingHead(ref, head).finally(() => this.loads.delete(loadKey));
      this.loads.set(loadKey, loading);
    }
    return loading;
  }

  private run(
    ctx: ServerContext,
    section: SectionInfo,
    opts: RefreshOptions & { waitForOthers: boolean },
  ): Promise<LoadedSnapshot | null> {
    const ref = refOf(ctx, section);
    const key = refKey(ref);
    let running = this.refreshes.get(key);
    if (!running) {
      running = this.leasedRefresh(ctx, section, ref, opts).finally(() => this.refreshes.delete(key));
      this.refreshes.set(key, running);
    }
    return running;
  }

  private async leasedRefresh(
    ctx: ServerContext,
    section: SectionInfo,
    ref: LibraryRef,
    opts: RefreshOptions & { waitForOthers: boolean },
  ): Promise<LoadedSnapshot | null> {
    const key = refKey(ref);
    // The version current BEFORE the lease attempt: if another container holds the lease, its
    // result is whatever version replaces this one (its fetchedAt is its own sweep start, earlier
    // than ours, so timestamps cannot tell).
    const before = (await this.deps.store.readHead(ref))?.version ?? null;
    const holder = opts.holder ?? this.holder;
    let leased = await this.leases.tryAcquire(key, holder, LEASE_TTL_MS);
    if (!leased) {
      if (!opts.waitForOthers) return null;
      const theirs = await this.awaitOtherHolder(ref, before);
      if (theirs) return theirs;
      // Their build failed or lapsed: ours now (without the lease if someone was faster still).
      leased = await this.leases.tryAcquire(key, holder, LEASE_TTL_MS);
    }
    return this.leasedBuild(ctx, section, ref, leased ? holder : null, opts);
  }

  /** The build under our lease (none: `holder` null): heartbeat while it runs, release with the outcome when it ends. */
  private async leasedBuild(
    ctx: ServerContext,
    section: SectionInfo,
    ref: LibraryRef,
    holder: string | null,
    opts: RefreshOptions,
  ): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    const progress: BuildProgress = { itemsRead: 0, itemsExpected: null };
    const lost = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, lost.signal]) : lost.signal;
    const heartbeat = holder ? this.leases.keepRenewing(key, holder, LEASE_TTL_MS, progress, lost) : undefined;
    let end: BuildEnd = { outcome: 'built', progress };
    try {
      return await this.buildAndStore(ctx, section, ref, { signal, progress, keep: opts.keep !== false });
    } catch (e) {
      const error =
        isUpstreamError(e) && e.service === 'plex' && e.kind === 'not_found' ? libraryNotFound(section.id) : e;
      end = { outcome: signal.aborted ? 'aborted' : 'failed', error: recordError(error), progress };
      throw error;
    } finally {
      heartbeat?.stop();
      if (holder) await this.leases.release(key, holder, end).catch(() => undefined);
    }
  }

  /**
   * Another container is refreshing this library: wait for its result, and stop waiting as soon
   * as the head changes or the lease is gone (its sweep failed, or it died and the lease lapsed).
   * Null: sweep here.
   */
  private async awaitOtherHolder(ref: LibraryRef, before: string | null): Promise<LoadedSnapshot | null> {
    const { now, leaseWaitMs, store } = this.deps;
    const key = refKey(ref);
    const deadline = now() + leaseWaitMs;
    // Bounds the loop even under a clock that does not move (tests inject one).
    for (let polls = Math.ceil(leaseWaitMs / LEASE_POLL_MS); polls > 0 && now() < deadline; polls--) {
      await new Promise((r) => setTimeout(r, LEASE_POLL_MS));
      const h = await store.readHead(ref);
      if (h && h.version !== before) return this.load(ref, h);
      if (!(await this.leases.held(key))) {
        // The holder flips the head before releasing: look once more, then sweep ourselves.
        const last = await store.readHead(ref);
        return last && last.version !== before ? this.load(ref, last) : null;
      }
    }
    return null;
  }

  private async buildAndStore(
    ctx: ServerContext,
    section: SectionInfo,
    ref: LibraryRef,
    { signal, progress, keep }: { signal: AbortSignal; progress: BuildProgress; keep: boolean },
  ): Promise<LoadedSnapshot> {
    const sectionType = section.type as JudgedSectionType;
    const built = await buildSnapshot({
      plex: ctx.plex,
      tautulli: ctx.tautulli,
      sectionId: section.id,
      sectionType,
      ownerToken: ctx.access.ownership !== 'not-owner',
      machineIdentifier: ref.machineIdentifier,
      now: this.deps.now,
      signal,
      progress,
    });
    const writeStarted = performance.now();
    const { head, written } = await this.deps.store.write(
      {
        ...ref,
        sectionType,
        sectionTitle: section.title,
        fetchedAt: built.fetchedAt,
        sources: built.sources,
        buildMs: built.buildMs,
      },
      built.items,
    );
    const stages = { ...built.stages, stored: built.buildMs + Math.round(performance.now() - writeStarted) };
    const snapshot = written ? new LoadedSnapshot(metaOf(head), built.items, stages) : await this.load(ref, head);
    if (keep) this.deps.memory.set(refKey(ref), snapshot);
    recordBuild(sectionType, built.buildMs, built.items.length);
    logger.info('library refreshed', {
      sectionId: section.id,
      items: built.items.length,
      buildMs: built.buildMs,
      stages,
      bytes: head.encodedBytes,
      tautulli: built.sources.tautulli,
    });
    return snapshot;
  }

  private async readFollowingHead(ref: LibraryRef, head: HeadDoc): Promise<LoadedSnapshot> {
    let h = head;
    for (let attempt = 0; ; attempt++) {
      try {
        const snapshot = new LoadedSnapshot(metaOf(h), await this.deps.store.readItems(h));
        this.deps.memory.set(refKey(ref), snapshot);
        return snapshot;
      } catch (e) {
        // A writer replaced this version under us: follow the head once more.
        const next = e instanceof SnapshotVersionGone && attempt < 2 ? await this.deps.store.readHead(ref) : null;
        if (!next) throw e;
        h = next;
      }
    }
  }
}
