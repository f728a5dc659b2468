/**
 * One sweep of the upstreams for one library: Plex listing(s), Plex server
 * history and Tautulli's media info, in parallel and paged, folded into the
 * rules accumulator as pages arrive.
 *
 * Fail closed: any Plex failure (items OR history) fails the build — without
 * history, other accounts' plays would be invisible and items would look
 * unused. Tautulli failing (or not configured) is survivable: its data can
 * only make items MORE used, so the build goes on with Plex data and records
 * the source as unavailable, which the API reports in X-Data-Sources.
 *
 * Paged reads race a changing library: the episode (or track) listing and the
 * history are read strictly, and a count that does not match what Plex
 * announced (items deleted mid-read shift offsets, so rows go unread) fails
 * that sweep. The whole sweep is retried once, then the build fails with
 * PLEX_BAD_RESPONSE — a short read is never accepted.
 *
 * Empty is not the same as healthy: after the sweep each source's answer is
 * checked against the others (rules/plausibility.ts). An implausibly empty
 * Plex history or leaf listing fails the build like any Plex failure (the
 * caller may serve the last good snapshot, flagged stale); an implausibly
 * empty Tautulli counts as unavailable. A non-owner token's build needs a
 * usable Tautulli (only it sees other accounts' plays), so without one it
 * fails with PLEX_NOT_OWNER instead of storing a snapshot nobody can use.
 */
import { logger } from '../../logger';
import { LISTING_CHANGED, type PlexClient } from '../../plex';
import { UpstreamError, isUpstreamError } from '../../upstream';
import type { TautulliClient } from '../../tautulli';
import { plexNotOwner } from '../media-errors';
import { judgeHistory, judgeLeaves, judgeTautulli } from '../rules/plausibility';
import { UnusedAccumulator } from '../rules/unused';
import type { BuildProgress } from '../store/leases';
import type { JudgedSectionType, SnapshotItem, SnapshotSources, SourceStatus } from '../types';
import { readPlex } from './read-plex';
import { readTautulli } from './read-tautulli';
import { SweepClock } from './sweep-clock';

export { UNIT_LISTING } from './read-plex';

export interface BuildInput {
  plex: PlexClient;
  tautulli: TautulliClient | null;
  sectionId: string;
  sectionType: JudgedSectionType;
  /** The Plex server's machineIdentifier: a Tautulli watching another server is not used. */
  machineIdentifier?: string;
  /** Whether the Plex token is the server owner's (else its history shows only its own plays). Default true. */
  ownerToken?: boolean;
  signal?: AbortSignal;
  /** The service's clock (epoch ms); injectable so tests control snapshot ages. */
  now?: () => number;
  /** Counted up as rows arrive and totals are announced (the lease heartbeat publishes it). */
  progress?: BuildProgress;
}

export interface BuildResult {
  items: SnapshotItem[];
  sources: SnapshotSources;
  /** Epoch ms when the sweep started. */
  fetchedAt: number;
  buildMs: number;
  /** Milliseconds from the sweep's start until each part was done (Plex listings, history, Tautulli, judging). */
  stages: Record<string, number>;
}

const listingChanged = (e: unknown) => isUpstreamError(e) && e.service === 'plex' && e.info.reason === LISTING_CHANGED;

export const buildSnapshot = async (input: BuildInput): Promise<BuildResult> => {
  try {
    return await sweep(input);
  } catch (e) {
    if (!listingChanged(e) || input.signal?.aborted) throw e;
    logger.warn('plex library changed during the sweep; sweeping once more', { sectionId: input.sectionId });
    return sweep(input); // a second mismatch propagates as PLEX_BAD_RESPONSE
  }
};

const sweep = async (input: BuildInput): Promise<BuildResult> => {
  const { sectionId, sectionType } = input;
  const ownerToken = input.ownerToken ?? true;
  const fetchedAt = (input.now ?? Date.now)();
  const clock = new SweepClock(input.progress ?? { itemsRead: 0, itemsExpected: null });
  clock.progress.itemsRead = 0; // a second sweep (the library changed) counts afresh
  clock.progress.itemsExpected = null;
  const acc = new UnusedAccumulator(sectionType, { ownerToken });
  // Plex failing stops the whole sweep at once (no point finishing the other listings).
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const tautulliRead = readTautulli(input, acc, clock, signal, stop.signal);
  try {
    await readPlex(input, acc, clock, signal, stop);
  } finally {
    await tautulliRead; // never rejects; aborted at once when Plex failed
  }
  const taut = await tautulliRead;
  const tautulliStatus = checkPlausible(acc, { sectionId, sectionType, ownerToken, tautulliStatus: taut.status });
  const items = acc.finish();
  clock.done('judged');
  const sources: SnapshotSources = {
    plex: 'ok',
    plexHistory: ownerToken ? 'ok' : 'own-only',
    tautulli: tautulliStatus,
  };
  if (taut.lastRefreshed !== undefined) sources.tautulliLastRefreshed = taut.lastRefreshed;
  return { items, sources, fetchedAt, buildMs: clock.elapsedMs, stages: clock.stages };
};

/** `info.reason` of the Plex error thrown when an answer is implausibly empty. */
export const IMPLAUSIBLY_EMPTY = 'implausibly empty';

/** Applies the plausibility checks to a finished sweep; returns Tautulli's final status or throws. */
const checkPlausible = (
  acc: UnusedAccumulator,
  s: { sectionId: string; sectionType: JudgedSectionType; ownerToken: boolean; tautulliStatus: SourceStatus },
): SourceStatus => {
  const evidence = acc.evidence();
  let tautulliStatus = s.tautulliStatus;
  const tautulli = tautulliStatus === 'ok' ? judgeTautulli(evidence) : null;
  if (tautulli && !tautulli.ok) {
    logger.warn('tautulli answer implausible; judging on Plex data', {
      sectionId: s.sectionId,
      reason: tautulli.reason,
    });
    tautulliStatus = 'unavailable';
  }
  for (const verdict of [
    judgeLeaves(evidence, s.sectionType),
    judgeHistory(evidence, { ownerToken: s.ownerToken, tautulliUsable: tautulliStatus === 'ok' }),
  ]) {
    if (verdict.ok) continue;
    logger.warn('plex answer implausible; not building on it', { sectionId: s.sectionId, reason: verdict.reason });
    throw new UpstreamError(
      'plex',
      'bad_response',
      `Plex answered implausibly for library ${s.sectionId}: ${verdict.reason}`,
      { reason: IMPLAUSIBLY_EMPTY },
    );
  }
  if (!s.ownerToken && tautulliStatus !== 'ok') throw plexNotOwner();
  return tautulliStatus;
};
