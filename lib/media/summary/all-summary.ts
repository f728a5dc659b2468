/**
 * GET /api/summary: the summary of every judged library of the user's Plex
 * server that their settings do not exclude, and the totals across them. A
 * library that cannot be answered now is listed with its error, and the
 * totals say they are incomplete rather than quietly leaving it out.
 */
import { APIError } from '../../errors';
import { isUpstreamError } from '../../upstream';
import type { KeepDeps } from '../keep/keep-item';
import { keepsBySection } from '../keep/keep-store';
import { JUDGED_TYPES } from '../types';
import {
  type LibraryRef,
  type LibrarySummary,
  librarySummary,
  type SummaryInput,
  type SummaryItem,
} from './library-summary';
import { DEFAULT_SUMMARY_THRESHOLDS } from './schemas';
import { LARGEST_PER_THRESHOLD, type ThresholdSummary, type ThresholdTotals } from './summarize';

/** A library in the overall summary: its totals (its largest items are in the overall lists). */
export type LibraryEntry =
  | (Omit<LibrarySummary, 'thresholds'> & { thresholds: ThresholdTotals[] })
  | { library: LibraryRef; error: { code: string; message: string } };

export interface AllSummary {
  scope: string;
  /** false when a library could not be answered (see its `error`): the totals leave it out. */
  complete: boolean;
  itemCount: number;
  sizeBytes: number;
  kept: { count: number; sizeBytes: number };
  thresholds: Array<ThresholdSummary<SummaryItem & { libraryId: string }>>;
  libraries: LibraryEntry[];
}

const scopeKeyOf = (input: SummaryInput): string => {
  const s = input.scope ?? { kind: 'anyone' };
  return s.kind === 'user' ? `user:${s.account}` : s.kind;
};

/** Sums the libraries' summaries; each threshold's largest items are the largest of all libraries'. */
const combine = (days: readonly number[], summaries: readonly LibrarySummary[]) =>
  days.map((d, t): AllSummary['thresholds'][number] => {
    const parts = summaries.map((s) => ({ libraryId: s.library.id, at: s.thresholds[t] }));
    const largest = parts
      .flatMap((p) => (p.at?.largest ?? []).map((item) => ({ ...item, libraryId: p.libraryId })))
      .sort((a, b) => b.sizeBytes - a.sizeBytes)
      .slice(0, LARGEST_PER_THRESHOLD);
    const sum = (f: (x: ThresholdTotals) => number) => parts.reduce((n, p) => n + (p.at ? f(p.at) : 0), 0);
    return { days: d, count: sum((x) => x.count), sizeBytes: sum((x) => x.sizeBytes), largest };
  });

export const allSummary = async (service: KeepDeps, input: SummaryInput): Promise<AllSummary> => {
  const ctx = await service.userContext(input.userId, { signal: input.signal });
  const excluded = new Set(ctx.settings.excludedLibraryIds);
  const sections = ctx.access.sections.filter((s) => JUDGED_TYPES.has(s.type) && !excluded.has(s.id));
  const days = input.thresholds ?? DEFAULT_SUMMARY_THRESHOLDS;
  // The server's keeps in one read, not one per library.
  const keeps = keepsBySection(await service.keeps.ofServer(input.userId, ctx.access.machineIdentifier));
  const summaries: LibrarySummary[] = [];
  const libraries: LibraryEntry[] = [];
  // One after the other: warm snapshots answer in milliseconds, and cold ones should not all sweep at once.
  for (const s of sections) {
    try {
      const { summary } = await librarySummary(service, {
        ...input,
        thresholds: days,
        libraryId: s.id,
        ctx,
        keeps: keeps.get(s.id) ?? [],
      });
      summaries.push(summary);
      const { thresholds, ...rest } = summary;
      libraries.push({ ...rest, thresholds: thresholds.map(({ largest: _, ...totals }) => totals) });
    } catch (e) {
      // A library's own refusal or its upstream's failure; anything else (the database…) fails the whole answer.
      if (!isUpstreamError(e) && !(e instanceof APIError && e.statusCode < 500)) throw e;
      libraries.push({
        library: { id: s.id, title: s.title, type: s.type },
        error: { code: e.code, message: e.message },
      });
    }
  }
  const total = (f: (s: LibrarySummary) => number) => summaries.reduce((n, s) => n + f(s), 0);
  return {
    scope: summaries[0]?.scope ?? scopeKeyOf(input),
    complete: summaries.length === sections.length,
    itemCount: total((s) => s.itemCount),
    sizeBytes: total((s) => s.sizeBytes),
    kept: { count: total((s) => s.kept.count), sizeBytes: total((s) => s.kept.sizeBytes) },
    thresholds: combine(days, summaries),
    libraries,
  };
};
