import { logger } from '../../logger';
import type { UnusedAccumulator } from '../rules/unused';
import type { SourceStatus } from '../types';
import type { BuildInput } from './build-snapshot';
import type { SweepClock } from './sweep-clock';

/**
 * Tautulli's media info folded into the accumulator. Never throws: Tautulli is
 * optional, and rows already added only ever add plays, so keeping them when it
 * fails midway cannot make anything look unused.
 */
export const readTautulli = async (
  input: BuildInput,
  acc: UnusedAccumulator,
  clock: SweepClock,
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
    clock.expect(info.recordsTotal);
    for await (const page of info.pages) {
      acc.addTautulli(page);
      clock.read(page.length);
    }
    clock.done('tautulli');
    return { status: 'ok', lastRefreshed };
  } catch (e) {
    if (plexFailed.aborted) return { status: 'ok' }; // Plex failed first; that error is the one reported
    logger.warn('tautulli unavailable; judging on Plex data', { sectionId, error: e });
    return { status: 'unavailable', lastRefreshed };
  }
};
