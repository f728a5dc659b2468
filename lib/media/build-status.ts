/**
 * Where a library's build stands, as `GET /api/library/{id}/refresh` and a
 * 202 answer tell it: `building` (rows read of rows announced, an estimate),
 * `failed` (the error, until a newer snapshot or build replaces it), `ready`
 * or `idle` (never built). Read from the snapshot head and the build lease.
 */
import type { BuildLeases, LeaseDoc } from './store/leases';
import { isHeld } from './store/leases';
import { refKey, type HeadDoc, type LibraryRef, type SnapshotStore } from './store/snapshot-store';

export type BuildState = 'building' | 'failed' | 'ready' | 'idle';

export interface BuildStatus {
  libraryId: string;
  state: BuildState;
  /** When the running build (or the last one) started. */
  startedAt: string | null;
  /** Upstream rows read so far, and announced, by the running or last build. */
  itemsRead: number | null;
  itemsExpected: number | null;
  /** Null when there is nothing to estimate from yet. */
  estimatedRemainingSeconds: number | null;
  /** When the data of the current snapshot was read, if there is one. */
  snapshotAt: string | null;
  error: { code: string; message: string } | null;
  /** This document's own URL: ask again here. */
  statusUrl: string;
}

export const statusUrlOf = (libraryId: string): string => `/api/library/${encodeURIComponent(libraryId)}/refresh`;

/** Seconds left: from the share of announced rows read, else from how long the last build took. */
const estimateSeconds = (lease: LeaseDoc, head: HeadDoc | null, nowMs: number): number | null => {
  const elapsedMs = Math.max(0, nowMs - lease.startedAt.getTime());
  const { itemsRead, itemsExpected } = lease;
  let remainingMs: number | null = null;
  if (itemsExpected && itemsRead > 0) {
    const done = Math.min(1, itemsRead / itemsExpected);
    // Judging and storing follow the reading: about a tenth more.
    remainingMs = (elapsedMs * (1 - done)) / done + 0.1 * elapsedMs;
  } else if (head) remainingMs = Math.max(0, head.buildMs - elapsedMs);
  return remainingMs === null ? null : Math.ceil(remainingMs / 1000);
};

/** A failure is news until a newer snapshot replaced it (an aborted build is no failure: the next request builds). */
const failedSince = (lease: LeaseDoc | null, head: HeadDoc | null): lease is LeaseDoc =>
  lease !== null &&
  lease.outcome === 'failed' &&
  // fetchedAt and finishedAt are both the service's clock.
  (head === null || (lease.finishedAt?.getTime() ?? 0) > head.fetchedAt);

export const statusOf = (
  libraryId: string,
  head: HeadDoc | null,
  lease: LeaseDoc | null,
  nowMs: number,
): BuildStatus => {
  const base: BuildStatus = {
    libraryId,
    state: head ? 'ready' : 'idle',
    startedAt: lease ? lease.startedAt.toISOString() : null,
    itemsRead: lease?.itemsRead ?? null,
    itemsExpected: lease?.itemsExpected ?? null,
    estimatedRemainingSeconds: null,
    snapshotAt: head ? new Date(head.fetchedAt).toISOString() : null,
    error: null,
    statusUrl: statusUrlOf(libraryId),
  };
  if (isHeld(lease, nowMs))
    return { ...base, state: 'building', estimatedRemainingSeconds: estimateSeconds(lease, head, nowMs) };
  if (failedSince(lease, head)) {
    const e = lease.error;
    const message = e?.expose ? e.message : 'The library could not be built';
    return { ...base, state: 'failed', error: { code: e?.code ?? 'INTERNAL_ERROR', message } };
  }
  return base;
};

/** Retry-After of a `building` answer: the estimate, kept between 1 and 10 seconds. */
export const retryAfterOf = (s: BuildStatus): string =>
  String(Math.min(10, Math.max(1, s.estimatedRemainingSeconds ?? 2)));

/** Where the build of `ref` stands, read from its head and its lease at once. */
export const readStatus = async (
  deps: { store: Pick<SnapshotStore, 'readHead'>; leases: Pick<BuildLeases, 'read'>; now: () => number },
  libraryId: string,
  ref: LibraryRef,
): Promise<BuildStatus> => {
  const [head, lease] = await Promise.all([deps.store.readHead(ref), deps.leases.read(refKey(ref))]);
  return statusOf(libraryId, head, lease, deps.now());
};
