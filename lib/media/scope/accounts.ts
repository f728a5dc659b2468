/**
 * The Plex accounts a scope can name: the server's named local accounts
 * (GET /accounts, the owner's token only, asked at most every 10 minutes per
 * server and credentials) together with every account the snapshot saw play.
 */
import { LRUCache } from 'lru-cache';
import type { PlexAccount } from '../../plex';
import { iso, type LoadedSnapshot } from '../cache/loaded-snapshot';
import { PLAY_STRIDE } from '../rules/account-plays';
import { OWNER_ACCOUNT_ID, type SnapshotItem } from '../types';
import type { ServerContext } from '../user-context';

export interface AccountStats {
  /** Items (movies, shows, albums) of the library the account played. */
  itemsPlayed: number;
  /** Epoch s of its latest play in the library. */
  lastPlayedAt: number | null;
}

/** One account as GET /api/library/{id}/accounts lists it. */
export interface LibraryAccount {
  id: number;
  /** null for an account Plex no longer names (removed, but its plays remain in history). */
  name: string | null;
  owner: boolean;
  itemsPlayed: number;
  lastPlayedAt: string | null;
}

const ACCOUNTS_MAX_AGE_MS = 10 * 60_000;
const named = new LRUCache<string, PlexAccount[]>({ max: 500, ttl: ACCOUNTS_MAX_AGE_MS });

/** The server's named accounts, from a 10-minute memo or Plex. */
export const plexAccounts = async (ctx: ServerContext, signal?: AbortSignal): Promise<PlexAccount[]> => {
  const key = `${ctx.access.machineIdentifier}\n${ctx.scope}`;
  const hit = named.get(key);
  if (hit) return hit;
  const accounts = await ctx.plex.getAccounts(signal);
  named.set(key, accounts);
  return accounts;
};

/** Tests: forget the memoised account lists. */
export const clearAccountsMemo = (): void => named.clear();

const stats = new WeakMap<LoadedSnapshot, Map<number, AccountStats>>();

/** Per account, what the snapshot saw it play (one pass, kept while the snapshot is). */
export const accountStatsOf = (snapshot: LoadedSnapshot): ReadonlyMap<number, AccountStats> => {
  const cached = stats.get(snapshot);
  if (cached) return cached;
  const byAccount = new Map<number, AccountStats>();
  for (const item of snapshot.items as readonly SnapshotItem[]) {
    const plays = item.plays ?? [];
    for (let j = 0; j < plays.length; j += PLAY_STRIDE) {
      const id = plays[j] as number;
      const at = plays[j + 1] as number;
      const s = byAccount.get(id) ?? { itemsPlayed: 0, lastPlayedAt: null };
      s.itemsPlayed++;
      if (at > 0 && (s.lastPlayedAt === null || at > s.lastPlayedAt)) s.lastPlayedAt = at;
      byAccount.set(id, s);
    }
  }
  stats.set(snapshot, byAccount);
  return byAccount;
};

/** Named accounts and accounts seen playing, by id. */
export const libraryAccounts = (
  names: readonly PlexAccount[],
  seen: ReadonlyMap<number, AccountStats>,
): LibraryAccount[] => {
  const ids = new Set([...names.map((a) => a.id), ...seen.keys()]);
  return [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const s = seen.get(id);
      return {
        id,
        name: names.find((a) => a.id === id)?.name ?? null,
        owner: id === OWNER_ACCOUNT_ID,
        itemsPlayed: s?.itemsPlayed ?? 0,
        lastPlayedAt: s?.lastPlayedAt ? iso(s.lastPlayedAt) : null,
      };
    });
};
