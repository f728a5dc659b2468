/**
 * Building and loading snapshots, each at most once at a time: a refresh is
 * shared by concurrent callers in this container (single-flight) and guarded
 * by a lease in MongoDB across containers; a load of a stored version is
 * shared the same way and kept in the container's memory cache.
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
import { leaseHeld, releaseLease, tryAcquireLease } from './store/leases';
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

const LEASE_TTL_MS = 5 * 60_000;
const LEASE_POLL_MS = 200;

export interface RefresherDeps {
  store: SnapshotStore;
  memory: SnapshotMemoryCache;
  now: () => number;
  /** How long to wait for another container's refresh before doing it here. */
  leaseWaitMs: number;
}

export class SnapshotRefresher {
  private readonly refreshes = new Map<string, Promise<LoadedSnapshot>>();
  private readonly loads = new Map<string, Promise<LoadedSnapshot>>();
  private readonly holder = `${process.pid}-${randomBytes(4).toString('hex')}`;

  constructor(private readonly deps: RefresherDeps) {}

  /** Rebuilds a library from the upstreams and stores it; concurrent calls share one run. */
  refresh(ctx: ServerContext, section: SectionInfo): Promise<LoadedSnapshot> {
    const ref: LibraryRef = {
      machineIdentifier: ctx.access.machineIdentifier,
      sectionId: section.id,
      scope: ctx.scope,
    };
    const key = refKey(ref);
    let running = this.refreshes.get(key);
    if (!running) {
      running = this.leasedRefresh(ctx, section, ref).finally(() => this.refreshes.delete(key));
      this.refreshes.set(key, running);
    }
    return running;
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

  private async leasedRefresh(ctx: ServerContext, section: SectionInfo, ref: LibraryRef): Promise<LoadedSnapshot> {
    const key = refKey(ref);
    // The version current BEFORE the lease attempt: if another container holds the lease, its
    // result is whatever version replaces this one (its fetchedAt is its own sweep start, earlier
    // than ours, so timestamps cannot tell).
    const before = (await this.deps.store.readHead(ref))?.version ?? null;
    const leased = await tryAcquireLease(key, this.holder, LEASE_TTL_MS, undefined, this.deps.now);
    if (!leased) {
      const theirs = await this.awaitOtherHolder(ref, before);
      if (theirs) return theirs;
    }
    try {
      return await this.buildAndStore(ctx, section, ref);
    } catch (e) {
      if (isUpstreamError(e) && e.service === 'plex' && e.kind === 'not_found') throw libraryNotFound(section.id);
      throw e;
    } finally {
      if (leased) await releaseLease(key, this.holder).catch(() => undefined);
    }
  }

  /**
   * Another container is refreshing this library: wait for its result, and stop waiting as soon
   * as the head changes or the lease is gone (its sweep failed, or it died and the lease expired).
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
      if (!(await leaseHeld(key, undefined, now))) {
        // The holder flips the head before releasing: look once more, then sweep ourselves.
        const last = await store.readHead(ref);
        return last && last.version !== before ? this.load(ref, last) : null;
      }
    }
    return null;
  }

  private async buildAndStore(ctx: ServerContext, section: SectionInfo, ref: LibraryRef): Promise<LoadedSnapshot> {
    const sectionType = section.type as JudgedSectionType;
    const built = await buildSnapshot({
      plex: ctx.plex,
      tautulli: ctx.tautulli,
      sectionId: section.id,
      sectionType,
      ownerToken: ctx.access.ownership !== 'not-owner',
      machineIdentifier: ref.machineIdentifier,
      now: this.deps.now,
    });
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
    const snapshot = written ? new LoadedSnapshot(metaOf(head), built.items) : await this.load(ref, head);
    this.deps.memory.set(refKey(ref), snapshot);
    recordBuild(sectionType, built.buildMs, built.items.length);
    logger.info('library refreshed', {
      sectionId: section.id,
      items: built.items.length,
      buildMs: built.buildMs,
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
