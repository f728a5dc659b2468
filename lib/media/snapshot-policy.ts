/**
 * Which snapshot answers a request: fresh from memory or MongoDB, stale while
 * a refresh runs, rebuilt now (within a budget, else the build's status for a
 * 202: build-on-request.ts), or the last good one because Plex is down.
 *
 * Only a missing or expired snapshot touches the upstreams. Freshness in
 * production comes from the scheduled warmer, which rebuilds every library
 * well within the TTL. An expired snapshot (within TTL × SWR_FACTOR) is
 * answered stale; only where work may continue after the response (a
 * long-lived process such as `npm start`, `backgroundRefresh: true`) does a
 * refresh also start in the background — a Lambda container is frozen right
 * after the response, so there it would stall half-done. Stale answers are
 * capped: a snapshot older than MAX_STALE_MS is never served because Plex is
 * down (the Plex error is answered instead).
 */
import { APIError } from '../errors';
import { logger } from '../logger';
import { isUpstreamError, type UpstreamError } from '../upstream';
import type { SectionInfo, ServerAccess } from './access';
import { buildOnRequest, type BuildOnRequestDeps } from './build-on-request';
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { LibraryBuilding, plexNotOwner } from './media-errors';
import { refOf, type SnapshotRefresher } from './refresh';
import type { HeadDoc, SnapshotStore } from './store/snapshot-store';
import type { SnapshotSources } from './types';
import type { UserContext } from './user-context';

export type CacheState = 'hit' | 'miss' | 'stale';

export interface SnapshotAnswer {
  snapshot: LoadedSnapshot;
  cache: CacheState;
  ageMs: number;
}

/** Expired snapshots younger than TTL × this are served stale while a refresh runs in the background. */
const SWR_FACTOR = 2;
/** Plex down is no licence to serve anything: snapshots older than this are not served stale. */
export const MAX_STALE_MS = 7 * 24 * 3600_000;
/**
 * A snapshot built while a configured source was unusable (Tautulli down or
 * implausibly empty) lives this long at most: it must not outlive the outage.
 */
export const DEGRADED_TTL_MS = 60_000;

const isDegraded = (s: SnapshotSources): boolean => s.tautulli === 'unavailable';

/** How long a snapshot with these sources is fresh, given the user's TTL. */
export const lifetimeOf = (s: SnapshotSources, ttlMs: number): number =>
  isDegraded(s) ? Math.min(ttlMs, DEGRADED_TTL_MS) : ttlMs;

/** Plex failures that mean "cannot reach it now", as opposed to "it said no". */
export const isPlexUnreachable = (e: unknown): e is UpstreamError =>
  isUpstreamError(e) &&
  e.service === 'plex' &&
  (e.kind === 'unavailable' || e.kind === 'timeout' || e.kind === 'bad_response');

/** Refresh failures after which the last good snapshot may be served, flagged stale. */
const servableStale = (e: unknown): e is APIError =>
  isPlexUnreachable(e) || (e instanceof APIError && e.code === 'PLEX_NOT_OWNER');

/** Which Plex history a snapshot built through `access` has. */
const historyScopeOf = (access: Pick<ServerAccess, 'ownership'>): 'ok' | 'own-only' =>
  access.ownership === 'not-owner' ? 'own-only' : 'ok';

export interface PolicyDeps extends BuildOnRequestDeps {
  store: Pick<SnapshotStore, 'readHead'>;
  refresher: Pick<SnapshotRefresher, 'refresh' | 'load'>;
  now: () => number;
  /** May a refresh run after the response was sent? False inside Lambda. */
  backgroundRefresh: boolean;
}

const answerOf = (snapshot: LoadedSnapshot, cache: CacheState, nowMs: number): SnapshotAnswer => ({
  snapshot,
  cache,
  ageMs: Math.max(0, nowMs - snapshot.meta.fetchedAt),
});

/** Serving stale is capped: past MAX_STALE_MS the failure itself is the answer. */
const refuseIfTooOld = (h: HeadDoc, cause: APIError, sectionId: string, nowMs: number): void => {
  const ageMs = nowMs - h.fetchedAt;
  if (ageMs > MAX_STALE_MS) {
    logger.warn('plex unreachable and the snapshot is too old to serve', { code: cause.code, sectionId, ageMs });
    throw cause;
  }
  logger.warn('serving a stale snapshot', { code: cause.code, sectionId, ageMs });
};

/** The library's snapshot under the cache policy (see the file comment). */
export const snapshotFor = async (
  deps: PolicyDeps,
  ctx: UserContext,
  section: SectionInfo,
  opts: { refresh?: boolean; userId?: string; signal?: AbortSignal } = {},
): Promise<SnapshotAnswer> => {
  const ref = refOf(ctx, section);
  // Fail closed before any sweep: a non-owner token without Tautulli cannot see other accounts' plays.
  if (ctx.access.ownership === 'not-owner' && !ctx.tautulli) throw plexNotOwner();
  const head = await deps.store.readHead(ref);
  const { plexDown } = ctx.access;
  const answer = (snapshot: LoadedSnapshot, cache: CacheState): SnapshotAnswer => answerOf(snapshot, cache, deps.now());
  const stale = async (h: HeadDoc, cause: APIError): Promise<SnapshotAnswer> => {
    refuseIfTooOld(h, cause, section.id, deps.now());
    return answer(await deps.refresher.load(ref, h), 'stale');
  };
  const refreshNow = async (): Promise<SnapshotAnswer> => {
    try {
      const built = await buildOnRequest(deps, ctx, section, { userId: opts.userId, signal: opts.signal, head });
      // A build running past the request's budget is answered 202 (never stale: servableStale refuses it).
      if ('building' in built) throw new LibraryBuilding(built.building);
      return answer(built.snapshot, 'miss');
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
  const age = deps.now() - head.fetchedAt;
  const ttlMs = lifetimeOf(head.sources, ctx.ttlMs);
  const sameScope = head.sources.plexHistory === historyScopeOf(ctx.access);
  // A snapshot built when the token's ownership was judged otherwise is rebuilt (its history scope differs).
  if (age < ttlMs && (plexDown || sameScope)) return answer(await deps.refresher.load(ref, head), 'hit');
  if (plexDown) return stale(head, plexDown);
  // A degraded snapshot is only answered stale where a refresh really runs behind the answer.
  const swr = !isDegraded(head.sources) || deps.backgroundRefresh;
  if (swr && sameScope && age < ttlMs * SWR_FACTOR) {
    if (deps.backgroundRefresh) {
      deps.refresher
        .refresh(ctx, section)
        .catch((e: unknown) => logger.warn('background refresh failed', { sectionId: section.id, error: e }));
    }
    return answer(await deps.refresher.load(ref, head), 'stale');
  }
  return refreshNow();
};
