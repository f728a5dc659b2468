/**
 * The Plex half of a sweep: the judged units' listing, the episode or track
 * listing and the server history, read in parallel. Each page is folded into
 * the accumulator as it arrives and then dropped: a sweep never holds a whole
 * listing.
 */
import { PLEX_TYPE } from '../../plex';
import type { UnusedAccumulator } from '../rules/unused';
import type { JudgedSectionType } from '../types';
import type { BuildInput } from './build-snapshot';
import type { SweepClock } from './sweep-clock';

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

/** The Plex listing(s) and history, in parallel; the first failure aborts the others and is the one thrown. */
export const readPlex = async (
  input: BuildInput,
  acc: UnusedAccumulator,
  clock: SweepClock,
  signal: AbortSignal,
  stop: AbortController,
): Promise<void> => {
  const { plex, sectionId, sectionType } = input;
  let firstError: unknown;
  const part = async (stage: string, work: () => Promise<void>) => {
    try {
      await work();
      clock.done(stage);
    } catch (e) {
      // The first failure is the real one; the others are the aborts it caused.
      if (!stop.signal.aborted) firstError = e;
      stop.abort();
      throw e;
    }
  };
  const leafType = LEAF_TYPE[sectionType];
  const settled = await Promise.allSettled([
    part('plex units', async () => {
      const type = UNIT_LISTING[sectionType];
      for await (const page of plex.iterateSectionItems(sectionId, { type, signal, onTotal: clock.expect })) {
        acc.addUnits(page);
        clock.read(page.length);
      }
    }),
    part('plex leaves', async () => {
      if (leafType === null) return;
      const seen = new Set<string>();
      const opts = { type: leafType, signal, strict: true, onTotal: clock.expect };
      for await (const page of plex.iterateSectionItems(sectionId, opts)) {
        acc.addLeaves(page, seen);
        clock.read(page.length);
      }
    }),
    part('plex history', async () => {
      for await (const page of plex.iterateHistory(sectionId, { signal, onTotal: clock.expect })) {
        acc.addHistory(page);
        clock.read(page.length);
      }
    }),
  ]);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw firstError ?? failed.reason;
};
