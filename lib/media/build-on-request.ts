/**
 * A build a request needs (no snapshot yet, an expired one that cannot be
 * served stale, `refresh=true`), waited for at most `buildWaitMs`. Past that
 * the request is answered 202 with the build's status while the build goes on:
 *
 * - in a long-lived process (`backgroundRefresh`: tests, any plain Node
 *   server) right here, in the background;
 * - in Lambda, where a container freezes once it has answered, in the build
 *   function invoked asynchronously (`handoff`; serverless-offline's Lambda
 *   endpoint under `npm start`). The request takes the library's lease on the
 *   build's behalf (so it shows as building at once and nobody invokes twice)
 *   and watches MongoDB for the new snapshot or the build's failure;
 * - with neither (`serverless invoke local`), in the request itself, to the end.
 *
 * A failed build's error is answered once — to the request that waited for
 * it, or else to the next one that needs a build within a minute — and the
 * request after that builds again (an aborted build is no failure: the next
 * request simply builds).
 */
import { randomBytes } from 'node:crypto';
import { APIError } from '../errors';
import { logger } from '../logger';
import { sleep } from '../upstream';
import type { SectionInfo } from './access';
import { readStatus, statusOf, type BuildStatus } from './build-status';
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { LEASE_TTL_MS, refOf, type SnapshotRefresher } from './refresh';
import { errorOf, recordError } from './store/recorded-error';
import { isHeld, type BuildLeases, type LeaseDoc } from './store/leases';
import { refKey, type HeadDoc, type LibraryRef, type SnapshotStore } from './store/snapshot-store';
import type { ServerContext } from './user-context';

/** What a build function needs to build a library on a request's behalf. */
export interface BuildRequest {
  userId: string;
  sectionId: string;
  /** The lease the request took for this build (its key and holder): the build function builds under it. */
  lease: { key: string; holder: string };
}

export interface BuildOnRequestDeps {
  refresher: Pick<SnapshotRefresher, 'refresh' | 'load'>;
  leases: BuildLeases;
  store: Pick<SnapshotStore, 'readHead'>;
  now: () => number;
  /** May work go on in this process after the response (not in Lambda)? */
  backgroundRefresh: boolean;
  /** Starts the build elsewhere (Lambda: the build function, invoked asynchronously). */
  handoff?: (req: BuildRequest) => Promise<void>;
  /** How long a request waits for a build before answering 202. */
  buildWaitMs: number;
}

export type BuildWait = { snapshot: LoadedSnapshot } | { building: BuildStatus };

const WATCH_POLL_MS = 150;
/** A failed build's error is news this long; a request after that builds again instead. */
const FAILURE_NEWS_MS = 60_000;

const failed = (l: LeaseDoc | null): l is LeaseDoc & { finishedAt: Date } =>
  l !== null && l.outcome === 'failed' && l.finishedAt !== null;

/** The error of a failed build nobody was told about yet, claimed for this request to answer. */
const unreportedFailure = async (
  deps: Pick<BuildOnRequestDeps, 'leases' | 'now'>,
  key: string,
  since?: Date | null,
): Promise<APIError | null> => {
  const lease = await deps.leases.read(key);
  const nowMs = deps.now();
  if (!failed(lease) || isHeld(lease, nowMs) || lease.reported || !lease.error) return null;
  if (nowMs - lease.finishedAt.getTime() > FAILURE_NEWS_MS) return null;
  if (since && lease.finishedAt.getTime() <= since.getTime()) return null;
  return (await deps.leases.claimFailureReport(key, lease.finishedAt)) ? errorOf(lease.error) : null;
};

/** `p` if it settles within `ms`, else undefined (it goes on). */
const within = async <T>(p: Promise<T>, ms: number): Promise<{ value: T } | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((r) => {
    timer = setTimeout(() => r(undefined), ms);
  });
  try {
    return await Promise.race([p.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
};

export const buildOnRequest = async (
  deps: BuildOnRequestDeps,
  ctx: ServerContext,
  section: SectionInfo,
  opts: { userId?: string; signal?: AbortSignal; head: HeadDoc | null },
): Promise<BuildWait> => {
  const ref = refOf(ctx, section);
  const key = refKey(ref);
  const failure = await unreportedFailure(deps, key);
  if (failure) throw failure;
  const status = (): Promise<BuildStatus> => readStatus(deps, section.id, ref);
  try {
    if (deps.backgroundRefresh) {
      const build = deps.refresher.refresh(ctx, section);
      const done = await within(build, deps.buildWaitMs);
      if (done) return { snapshot: done.value };
      build.catch((e: unknown) => logger.warn('background build failed', { sectionId: section.id, error: e }));
      // It runs, whatever the lease says yet (it may not have taken it within a very short budget).
      return { building: { ...(await status()), state: 'building', error: null } };
    }
    if (deps.handoff && opts.userId) return await handedOff(deps, deps.handoff, ref, { ...opts, userId: opts.userId });
    return { snapshot: await deps.refresher.refresh(ctx, section, { signal: opts.signal }) };
  } catch (e) {
    // This request saw the build fail itself: the failure is not answered again to the next one.
    await unreportedFailure(deps, key).catch(() => null);
    throw e;
  }
};

/** Lambda: the build runs in the build function; this request watches for its snapshot or failure. */
const handedOff = async (
  deps: BuildOnRequestDeps,
  handoff: NonNullable<BuildOnRequestDeps['handoff']>,
  ref: LibraryRef,
  opts: { userId: string; head: HeadDoc | null },
): Promise<BuildWait> => {
  const key = refKey(ref);
  const before = await deps.leases.read(key);
  const holder = `queued-${randomBytes(6).toString('hex')}`;
  if (await deps.leases.tryAcquire(key, holder, LEASE_TTL_MS)) {
    try {
      await handoff({ userId: opts.userId, sectionId: ref.sectionId, lease: { key, holder } });
    } catch (e) {
      logger.error('could not hand the build to the build function', { sectionId: ref.sectionId, error: e });
      const error = new APIError(
        'The library build could not be started; try again shortly',
        503,
        'BUILD_UNAVAILABLE',
        {
          expose: true,
          headers: { 'Retry-After': '5' },
        },
      );
      await deps.leases.release(key, holder, { outcome: 'failed', error: recordError(error) });
      throw error;
    }
  }
  const deadline = performance.now() + deps.buildWaitMs;
  for (;;) {
    const head = await deps.store.readHead(ref);
    if (head && head.version !== opts.head?.version) return { snapshot: await deps.refresher.load(ref, head) };
    const failure = await unreportedFailure(deps, key, before?.finishedAt);
    if (failure) throw failure;
    if (performance.now() + WATCH_POLL_MS > deadline)
      return { building: statusOf(ref.sectionId, head, await deps.leases.read(key), deps.now()) };
    await sleep(WATCH_POLL_MS);
  }
};
