/**
 * The "unused" rules, as pure functions over normalised upstream data.
 *
 *   lastPlayedAt = max(Plex owner lastViewedAt (incl. manual marks),
 *                      newest Plex server-history row (all accounts),
 *                      Tautulli last_played (all users))      — over the unit and its children
 *   lastAddedAt  = max(addedAt, newest child addedAt)           — a new episode restarts the clock
 *   unused       ⇔ max(lastPlayedAt, lastAddedAt) < now − threshold days   (activity.ts)
 *
 * The accumulator folds pages in as they stream in, so a 100k-item section
 * never has to be held twice; `finish()` returns the units sorted by last
 * activity (stalest first), which makes "unused for T days" a PREFIX of the
 * list for every T — the request path is a binary search, not a scan.
 */
import type { HistoryInput, LeafInput, TautulliInput, UnitInput } from './inputs';
import { UNIT_TYPE, historyKeys, sortTitleOf } from './inputs';
import type { SweepEvidence } from './plausibility';
import { lastActivityOf } from './activity';
import { addAccountPlay, itemPlays } from './account-plays';
import {
  OWNER_ACCOUNT_ID,
  type JudgedSectionType,
  type MediaType,
  type PlaySource,
  type PlayedBy,
  type SnapshotItem,
} from '../types';

interface LeafAgg {
  addedAt: number;
  lastViewedAt: number | null;
  viewCount: number;
  sizeBytes: number;
}

interface HistoryAgg {
  viewedAt: number;
  accountId: number | null;
  count: number;
  /** Per account (rules/account-plays.ts), for the watch scopes. */
  accounts: number[];
}

const maxOrNull = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : Math.max(a, b);

export interface AccumulatorOptions {
  /**
   * Whether the Plex token is the server owner's. When it is not, item watch
   * data and server history are that token's OWN account's, so no play is
   * ever attributed to "the owner" (it is 'unknown').
   */
  ownerToken?: boolean;
}

/** A Tautulli play and a Plex history row this close together (seconds) are taken as the same session. */
const SAME_SESSION_S = 6 * 3600;

export class UnusedAccumulator {
  private readonly unitType: MediaType;
  private readonly ownerToken: boolean;
  private readonly units = new Map<string, UnitInput>();
  private readonly leaves = new Map<string, LeafAgg>();
  /** Keyed by every key a row carries (item, parent, grandparent): a unit reads its own key. */
  private readonly history = new Map<string, HistoryAgg>();
  private readonly tautulli = new Map<string, TautulliInput>();
  private readonly counts = { viewedLeaves: 0, leaves: 0, historyRows: 0, tautulliPlayed: 0 };

  constructor(
    readonly sectionType: JudgedSectionType,
    opts: AccumulatorOptions = {},
  ) {
    this.unitType = UNIT_TYPE[sectionType];
    this.ownerToken = opts.ownerToken ?? true;
  }

  get unitCount(): number {
    return this.units.size;
  }

  /** What the sweep saw, for the plausibility checks (plausibility.ts). */
  evidence(): SweepEvidence {
    let viewed = this.counts.viewedLeaves;
    let expectedLeaves = 0;
    for (const u of this.units.values()) {
      if (u.viewCount > 0 || u.lastViewedAt !== null) viewed++;
      expectedLeaves += u.leafCount ?? 0;
    }
    const { leaves, historyRows, tautulliPlayed } = this.counts;
    return {
      units: this.units.size,
      viewed,
      expectedLeaves,
      leaves,
      historyRows,
      tautulliRows: this.tautulli.size,
      tautulliPlayed,
    };
  }

  addUnits(rows: Iterable<UnitInput>): void {
    for (const row of rows) {
      if (row.type !== this.unitType) continue;
      // A library changing mid-sweep can list an item twice: counted once.
      this.units.set(row.ratingKey, row);
    }
  }

  /** Episodes (grouped by show) or tracks (grouped by album). */
  addLeaves(rows: Iterable<LeafInput>, seen: Set<string> = new Set()): void {
    for (const row of rows) {
      if (seen.has(row.ratingKey)) continue;
      seen.add(row.ratingKey);
      this.counts.leaves++;
      if (row.viewCount > 0 || row.lastViewedAt !== null) this.counts.viewedLeaves++;
      const parent = this.sectionType === 'show' ? row.grandparentRatingKey : row.parentRatingKey;
      if (!parent) continue;
      const agg = this.leaves.get(parent);
      if (!agg) {
        this.leaves.set(parent, {
          addedAt: row.addedAt,
          lastViewedAt: row.lastViewedAt,
          viewCount: row.viewCount,
          sizeBytes: row.sizeBytes,
        });
        continue;
      }
      agg.addedAt = Math.max(agg.addedAt, row.addedAt);
      agg.lastViewedAt = maxOrNull(agg.lastViewedAt, row.lastViewedAt);
      agg.viewCount += row.viewCount;
      agg.sizeBytes += row.sizeBytes;
    }
  }

  addHistory(rows: Iterable<HistoryInput>): void {
    for (const row of rows) {
      this.counts.historyRows++;
      for (const key of historyKeys(row, this.sectionType)) {
        if (!key) continue;
        let agg = this.history.get(key);
        if (!agg) {
          agg = { viewedAt: row.viewedAt, accountId: row.accountId, count: 1, accounts: [] };
          this.history.set(key, agg);
        } else {
          agg.count++;
          // Newest row wins; on a tie the owner's, so "by the owner" is never a guess.
          if (row.viewedAt > agg.viewedAt || (row.viewedAt === agg.viewedAt && row.accountId === OWNER_ACCOUNT_ID)) {
            agg.viewedAt = row.viewedAt;
            agg.accountId = row.accountId;
          }
        }
        if (row.accountId !== null) addAccountPlay(agg.accounts, row.accountId, row.viewedAt);
      }
    }
  }

  addTautulli(rows: Iterable<TautulliInput>): void {
    for (const row of rows) {
      if (!this.tautulli.has(row.ratingKey) && (row.lastPlayed !== null || (row.playCount ?? 0) > 0))
        this.counts.tautulliPlayed++;
      this.tautulli.set(row.ratingKey, row);
    }
  }

  /** The judged units, stalest first (ties by id, so output is deterministic). */
  finish(): SnapshotItem[] {
    const out: SnapshotItem[] = [];
    for (const unit of this.units.values()) out.push(this.judge(unit));
    out.sort((a, b) => lastActivityOf(a) - lastActivityOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return out;
  }

  private tautulliFor(unit: UnitInput): TautulliInput | undefined {
    const own = this.tautulli.get(unit.ratingKey);
    if (own || this.unitType !== 'album' || !unit.parentRatingKey) return own;
    // Tautulli's music rows are per ARTIST. Its play can only be pinned to an album when Plex
    // history explains it; if Tautulli knows a newer play of the artist than Plex history does
    // (pruned history, plays before…), every album of that artist counts as played then (fail closed).
    const artist = this.tautulli.get(unit.parentRatingKey);
    if (!artist?.lastPlayed) return undefined;
    const plexArtistLast = this.history.get(unit.parentRatingKey)?.viewedAt ?? null;
    if (plexArtistLast !== null && artist.lastPlayed <= plexArtistLast) return undefined;
    return { ratingKey: unit.ratingKey, lastPlayed: artist.lastPlayed, playCount: null };
  }

  private judge(unit: UnitInput): SnapshotItem {
    const leaf = this.leaves.get(unit.ratingKey);
    const hist = this.history.get(unit.ratingKey);
    const taut = this.tautulliFor(unit);

    const ownerLast = maxOrNull(unit.lastViewedAt, leaf?.lastViewedAt ?? null);
    const histBy: PlayedBy =
      hist?.accountId === OWNER_ACCOUNT_ID
        ? 'owner'
        : hist?.accountId === null || hist === undefined
          ? 'unknown'
          : 'other';
    // Tautulli aggregates all users and counts partial plays, which never touch the owner's lastViewedAt:
    // a newer Tautulli play may well be the owner's own. Only Plex history naming another account for the
    // same session says who it was.
    const tautBy: PlayedBy =
      taut?.lastPlayed != null &&
      hist &&
      histBy === 'other' &&
      Math.abs(taut.lastPlayed - hist.viewedAt) <= SAME_SESSION_S
        ? 'other'
        : 'unknown';
    // Candidates in tie-break order: the owner's own state is the most specific source.
    const candidates: Array<{ at: number | null; source: PlaySource; by: PlayedBy }> = [
      { at: ownerLast, source: 'plex', by: 'owner' },
      { at: hist?.viewedAt ?? null, source: 'plex-history', by: histBy },
      { at: taut?.lastPlayed ?? null, source: 'tautulli', by: tautBy },
    ];
    // A non-owner token's item data and history are its own account's: never "the owner" (nor provably "another user").
    if (!this.ownerToken) for (const c of candidates) c.by = 'unknown';
    let best: (typeof candidates)[number] | null = null;
    for (const c of candidates) if (c.at !== null && c.at > 0 && (best === null || c.at > (best.at ?? 0))) best = c;

    const leafAdded = leaf?.addedAt ?? 0;
    const lastAddedByChild = leafAdded > unit.addedAt;
    // An album title alone ("Greatest Hits") says little; name its artist too.
    const title = this.unitType === 'album' && unit.parentTitle ? `${unit.parentTitle} — ${unit.title}` : unit.title;
    return {
      id: unit.ratingKey,
      title,
      sortTitle: sortTitleOf(title),
      year: unit.year,
      type: this.unitType,
      addedAt: unit.addedAt,
      lastAddedAt: lastAddedByChild ? leafAdded : unit.addedAt,
      lastAddedByChild,
      lastPlayedAt: best?.at ?? null,
      playSource: best?.source ?? null,
      playedBy: best?.by ?? null,
      // Sources overlap (same play seen by several), so the highest count is the honest floor.
      playCount: Math.max(unit.viewCount, leaf?.viewCount ?? 0, hist?.count ?? 0, taut?.playCount ?? 0),
      sizeBytes: this.unitType === 'movie' ? unit.sizeBytes : (leaf?.sizeBytes ?? 0) + unit.sizeBytes,
      // Only the owner's token shows the owner's own watch state; any other token's is its own account's.
      plays: itemPlays(
        hist?.accounts,
        this.ownerToken ? { lastViewedAt: ownerLast, viewCount: Math.max(unit.viewCount, leaf?.viewCount ?? 0) } : null,
      ),
    };
  }
}
