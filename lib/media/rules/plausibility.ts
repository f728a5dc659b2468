/**
 * Is an upstream's answer believable? An upstream that answers 200 with no rows
 * (a Plex history reading `totalSize: 0`, a Tautulli that has not scanned a
 * library yet, an episode listing that comes back empty) looks exactly like
 * "nobody watched anything" — the one misreading that can cost a user their
 * files. Each source is checked against what the OTHER sources show; a source
 * that cannot be right is treated as unavailable.
 *
 * Only emptiness is judged: partial answers cannot be told from real ones
 * (history is pruned, Tautulli starts counting at its install), and a false
 * alarm costs a 502 or a stale answer, never a wrong list.
 */
import type { JudgedSectionType } from '../types';

/** Counts gathered while a sweep folds pages in (see UnusedAccumulator.evidence). */
export interface SweepEvidence {
  /** Judged units listed (movies, shows, albums). */
  units: number;
  /** Units or leaves whose own watch state (the token's account) shows a play. */
  viewed: number;
  /** Episodes/tracks the unit rows announce (`leafCount`), 0 when Plex sends none. */
  expectedLeaves: number;
  /** Episodes/tracks listed. */
  leaves: number;
  historyRows: number;
  tautulliRows: number;
  /** Tautulli rows with a recorded play. */
  tautulliPlayed: number;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const no = (reason: string): Verdict => ({ ok: false, reason });

/** Shows and albums announce their episode/track counts; a listing with under half of them is not the library. */
export const judgeLeaves = (e: SweepEvidence, sectionType: JudgedSectionType): Verdict => {
  if (sectionType === 'movie' || e.expectedLeaves === 0) return OK;
  const what = sectionType === 'show' ? 'episodes' : 'tracks';
  return e.leaves * 2 < e.expectedLeaves
    ? no(`Plex listed ${e.leaves} ${what} where its ${e.units} parents announce ${e.expectedLeaves}`)
    : OK;
};

/**
 * Plex history with no rows while plays are on record elsewhere: the token's own
 * watch state (its plays are in its own history) or, for the owner's token,
 * Tautulli's plays (the owner's history holds every account's).
 */
export const judgeHistory = (e: SweepEvidence, opts: { ownerToken: boolean; tautulliUsable: boolean }): Verdict => {
  if (e.historyRows > 0) return OK;
  if (e.viewed > 0) return no(`Plex history is empty although ${e.viewed} items show plays`);
  if (opts.ownerToken && opts.tautulliUsable && e.tautulliPlayed > 0)
    return no(`Plex history is empty although Tautulli records plays of ${e.tautulliPlayed} items`);
  return OK;
};

/** Tautulli's media info with no rows for a library Plex lists items in: not scanned yet (or not the same library). */
export const judgeTautulli = (e: SweepEvidence): Verdict =>
  e.tautulliRows === 0 && e.units > 0
    ? no(`Tautulli lists no media for a library of ${e.units} items (not scanned yet?)`)
    : OK;
