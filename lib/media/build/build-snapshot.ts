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
import { LISTING_CHANGED, PLEX_TYPE, type PlexClient } from '../../plex';
import { UpstreamError, isUpstreamError } from '../../upstream';
import type { TautulliClient } from '../../tautulli';
import { plexNotOwner } from '../media-errors';
import { judgeHistory, judgeLeaves, judgeTautulli } from '../rules/plausibility';
import { UnusedAccumulator } from '../rules/unused';
import type { JudgedSectionType, SnapshotItem, SnapshotSources, SourceStatus } from '../types';

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
}

export interface BuildResult {
  items: SnapshotItem[];
  sources: SnapshotSources;
  /** Epoch ms when the sweep started. */
  fetchedAt: number;
  buildMs: number;
}

const LEAF_TYPE: Record<JudgedSectionType, number | null> = {
  movie: null,
  show: PLEX_TYPE.episode,
  artist: PLEX_TYPE.track,
};
/** The Plex listing type of a section's judged unit (movies, shows, albums). */
export const UNIT_LISTING: Record<JudgedSectionType, number> = {
  movie: PLEX_TYPE.movie,
  show: PLEX_TYPE.show,
  artist: PLEX_TYPE.album,
};

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
  const started = performance.now();
  const acc = new UnusedAccumulator(sectionType, { ownerToken });
  // Plex failing stops the whole sweep at once (no point finishing the other listings).
  const stop = new AbortController();
  const signal = input.signal ? AbortSignal.any([input.signal, stop.signal]) : stop.signal;
  const tautulliRead = readTautulli(input, acc, signal, stop.signal);
  try {
    await readPlex(input, acc, signal, stop);
  } finally {
    await tautulliRead; // never rejects; aborted at once when Plex failed
  }
  const taut = await tautulliRead;
  const tautulliStatus = checkPlausible(acc, { sectionId, sectionType, ownerToken, tautulliStatus: taut.status });
  const items = acc.finish();
  const sources: SnapshotSources = {
    plex: 'ok',
    plexHistory: ownerToken ? 'ok' : 'own-only',
    tautulli: tautulliStatus,
  };
  if (taut.lastRefreshed !== undefined) sources.tautulliLastRefreshed = taut.lastRefreshed;
  return { items, sources, fetchedAt, buildMs: Math.round(performance.now() - started) };
};

/** The Plex listing(s) and history, in parallel; the first failure aborts the others and is the one thrown. */
const readPlex = async (
  input: BuildInput,
  acc: UnusedAccumulator,
  signal: AbortSignal,
  stop: AbortController,
): Promise<void> => {
  const { plex, sectionId, sectionType } = input;
  let firstError: unknown;
  const part = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (e) {
      // The first failure is the real one; the others are the aborts it caused.
      if (!stop.signal.aborted) firstError = e;
      stop.abort();
      throw e;
    }
  };
  const leafType = LEAF_TYPE[sectionType];
  const settled = await Promise.allSettled([
    part(async () => {
      for await (const page of plex.iterateSectionItems(sectionId, { type: UNIT_LISTING[sectionType], signal }))
        acc.addUnits(page);
    }),
    part(async () => {
      if (leafType === null) return;
      const seen = new Set<string>();
      for await (const page of plex.iterateSectionItems(sectionId, { type: leafType, signal, strict: true }))
        acc.addLeaves(page, seen);
    }),
    part(async () => {
      for await (const page of plex.iterateHistory(sectionId, { signal })) acc.addHistory(page);
    }),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw firstError ?? failed.reason;
};

/**
 * Tautulli's media info folded into the accumulator. Never throws: Tautulli is
 * optional, and rows already added only ever add plays, so keeping them when it
 * fails midway cannot make anything look unused.
 */
const readTautulli = async (
  input: BuildInput,
  acc: UnusedAccumulator,
  signal: AbortSignal,
  plexFailed: AbortSignal,
): Promise<{ status: SourceStatus; lastRefreshed?: number | null }> => {
  const { tautulli, sectionId, sectionType } = input;
  if (!tautulli) return { status: 'unconfigured' };
  let lastRefreshed: number | null | undefined;
  try {
    // Guard against a Tautulli that watches ANOTHER Plex server: its machine identifier differs
    // (when Tautulli can tell), or the same section id is a different library.
    const [libraries, identity] = await Promise.all([
      tautulli.getLibraries(signal),
      input.machineIdentifier ? tautulli.getServerIdentity(signal) : Promise.resolve(null),
    ]);
    if (identity?.machineIdentifier && identity.machineIdentifier !== input.machineIdentifier) {
      logger.warn('tautulli watches another Plex server; judging on Plex data', {
        sectionId,
        plex: input.machineIdentifier,
        tautulliPlex: identity.machineIdentifier,
      });
      return { status: 'unavailable' };
    }
    const lib = libraries.find((l) => l.sectionId === sectionId);
    if (!lib || lib.sectionType !== sectionType) {
      logger.warn('tautulli does not know this library; judging on Plex data', {
        sectionId,
        tautulliType: lib?.sectionType ?? null,
      });
      return { status: 'unavailable' };
    }
    const info = await tautulli.getLibraryMediaInfo(sectionId, { signal });
    lastRefreshed = info.lastRefreshed;
    for await (const page of info.pages) acc.addTautulli(page);
    return { status: 'ok', lastRefreshed };
  } catch (e) {
    if (plexFailed.aborted) return { status: 'ok' }; // Plex failed first; that error is the one reported
    logger.warn('tautulli unavailable; judging on Plex data', { sectionId, error: e });
    return { status: 'unavailable', lastRefreshed };
  }
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
