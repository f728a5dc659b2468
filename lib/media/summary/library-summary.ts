/**
 * GET /api/library/{id}/summary: reclaimable space per threshold in one small
 * JSON, from the library's snapshot, with the user's kept items left out.
 */
import { iso } from '../cache/loaded-snapshot';
import { keptIndices } from '../keep/item-index';
import type { KeepDeps } from '../keep/keep-item';
import type { KeepDoc } from '../keep/keep-store';
import type { LibrarySnapshot } from '../library-snapshot';
import { mediaItemOf } from '../render-unused';
import { judgedOrder } from '../scope/judged-order';
import { scopedLibrarySnapshot } from '../scope/resolve-scope';
import type { ResolvedScope, WatchScope } from '../scope/watch-scope';
import { unusedTotals } from '../select-unused';
import type { CacheState } from '../snapshot-policy';
import type { MediaType, SnapshotSources } from '../types';
import type { UserContext } from '../user-context';
import { DEFAULT_SUMMARY_THRESHOLDS } from './schemas';
import { summarizeThresholds, type ThresholdSummary } from './summarize';

/** One of the largest unused items (ids as in unused answers; values of the scope). */
export interface SummaryItem {
  id: string;
  title: string;
  type: MediaType;
  year: number | null;
  sizeBytes: number;
  unusedDays: number;
  lastPlayedAt: string | null;
}

export interface LibraryRef {
  id: string;
  title: string;
  type: string;
}

export interface LibrarySummary {
  library: LibraryRef;
  /** anyone, owner, others or user:<account id>. */
  scope: string;
  /** The whole library (kept items included). */
  itemCount: number;
  sizeBytes: number;
  /** Kept items in force that the library still holds (never counted in the thresholds). */
  kept: { count: number; sizeBytes: number };
  thresholds: Array<ThresholdSummary<SummaryItem>>;
  sources: SnapshotSources;
  snapshot: { fetchedAt: string; ageSeconds: number; cache: CacheState };
}

export interface SummaryInput {
  userId: string;
  thresholds?: readonly number[];
  scope?: WatchScope;
  signal?: AbortSignal;
}

/** The summary of a library whose snapshot and scope are in hand. */
const summarizeLibrary = async (
  service: KeepDeps,
  lib: LibrarySnapshot & { scope: ResolvedScope },
  input: SummaryInput & { keeps?: readonly KeepDoc[] },
): Promise<LibrarySummary> => {
  const { ctx, section, answer, scope } = lib;
  const { snapshot } = answer;
  const nowMs = service.now();
  const keeps =
    input.keeps ??
    (await service.keeps.ofLibrary({
      userId: input.userId,
      machineIdentifier: ctx.access.machineIdentifier,
      sectionId: section.id,
    }));
  const kept = keptIndices(snapshot, keeps, nowMs);
  const judging = { snapshot, judged: judgedOrder(snapshot, scope), kept };
  const render = { snapshot, scope, flags: null, nowMs };
  const keptTotals = unusedTotals(judging, snapshot.items.length);
  const thresholds = summarizeThresholds(judging, {
    days: input.thresholds ?? DEFAULT_SUMMARY_THRESHOLDS,
    nowMs,
    item: (i): SummaryItem => {
      const { id, title, type, year, sizeBytes, unusedDays, lastPlayedAt } = mediaItemOf(render, i);
      return { id, title, type, year, sizeBytes, unusedDays, lastPlayedAt };
    },
  });
  return {
    library: { id: section.id, title: section.title, type: section.type },
    scope: scope.key,
    itemCount: snapshot.items.length,
    sizeBytes: snapshot.prefixSize[snapshot.items.length] as number,
    kept: { count: keptTotals.keptCount, sizeBytes: keptTotals.keptSizeBytes },
    thresholds,
    sources: snapshot.meta.sources,
    snapshot: {
      fetchedAt: iso(snapshot.meta.fetchedAt / 1000),
      ageSeconds: Math.floor(answer.ageMs / 1000),
      cache: answer.cache,
    },
  };
};

export const librarySummary = async (
  service: KeepDeps,
  /** `keeps`: the library's keeps when the caller read them already (allSummary reads the server's at once). */
  input: SummaryInput & { libraryId: string; ctx?: UserContext; keeps?: readonly KeepDoc[] },
): Promise<{ summary: LibrarySummary; answer: LibrarySnapshot['answer'] }> => {
  const lib = await scopedLibrarySnapshot(service, { ...input, scope: input.scope ?? { kind: 'anyone' } });
  return { summary: await summarizeLibrary(service, lib, input), answer: lib.answer };
};
