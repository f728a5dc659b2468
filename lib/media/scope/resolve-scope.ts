/**
 * From `scope=` to the accounts whose plays count, or a refusal:
 *
 * - a snapshot built through a token that is not the owner's (Plex history
 *   own-only) cannot tell accounts apart → 409 PLEX_HISTORY_OWN_ONLY;
 * - a snapshot stored before plays were recorded per account is read again
 *   once (withAccountPlays), else 409 ACCOUNT_PLAYS_PENDING;
 * - user:<name> needs the server's account names (Plex, the owner's token);
 *   user:<id> is also accepted for an account Plex no longer names but whose
 *   plays are in the library's history.
 */
import type { PlexAccount } from '../../plex';
import type { LoadedSnapshot } from '../cache/loaded-snapshot';
import { librarySnapshot, type LibrarySnapshot, type SnapshotDeps } from '../library-snapshot';
import type { ServerContext } from '../user-context';
import { accountStatsOf, plexAccounts } from './accounts';
import { accountAmbiguous, accountNotFound, accountPlaysPending, historyOwnOnly } from './scope-errors';
import { ANYONE, OTHERS_SCOPE, OWNER_SCOPE, type ResolvedScope, type WatchScope } from './watch-scope';

/** Whether the snapshot carries plays per account (decoded items of older snapshots do not). */
export const hasAccountPlays = (snapshot: LoadedSnapshot): boolean =>
  snapshot.items.length === 0 || snapshot.items[0]?.plays !== undefined;

/** Refuses a snapshot whose Plex history is the token's own (see the file comment). */
export const assertAccountsVisible = (snapshot: LoadedSnapshot): void => {
  if (snapshot.meta.sources.plexHistory !== 'ok') throw historyOwnOnly();
};

const findAccount = async (
  account: string,
  snapshot: LoadedSnapshot,
  ctx: ServerContext,
  signal?: AbortSignal,
): Promise<{ id: number; name: string | null }> => {
  if (/^[0-9]{1,9}$/.test(account)) {
    const id = Number(account);
    const seen = accountStatsOf(snapshot).has(id);
    let names: PlexAccount[];
    try {
      names = await plexAccounts(ctx, signal);
    } catch (e) {
      if (seen) return { id, name: null }; // its plays are on record; the name is only for the reason text
      throw e;
    }
    const name = names.find((a) => a.id === id)?.name ?? null;
    if (name === null && !seen) throw accountNotFound(account);
    return { id, name };
  }
  const wanted = account.toLocaleLowerCase('en');
  const matches = (await plexAccounts(ctx, signal)).filter((a) => a.name.toLocaleLowerCase('en') === wanted);
  if (matches.length > 1)
    throw accountAmbiguous(
      account,
      matches.map((a) => a.id),
    );
  const [match] = matches;
  if (!match) throw accountNotFound(account);
  return match;
};

export const resolveScope = async (
  scope: WatchScope,
  snapshot: LoadedSnapshot,
  ctx: ServerContext,
  signal?: AbortSignal,
): Promise<ResolvedScope> => {
  if (scope.kind === 'anyone') return ANYONE;
  assertAccountsVisible(snapshot);
  if (!hasAccountPlays(snapshot)) throw accountPlaysPending();
  if (scope.kind === 'owner') return { kind: 'accounts', ...OWNER_SCOPE };
  if (scope.kind === 'others') return { kind: 'accounts', ...OTHERS_SCOPE };
  const { id, name } = await findAccount(scope.account, snapshot, ctx, signal);
  return { kind: 'accounts', key: `user:${id}`, label: name ?? `account ${id}`, filter: { only: id } };
};

/**
 * A snapshot that can tell accounts apart: refused when its Plex history is own-only, read again
 * once when it predates per-account plays (and refused if it still does).
 */
export const withAccountPlays = async (
  service: SnapshotDeps,
  lib: LibrarySnapshot,
  userId: string,
): Promise<LibrarySnapshot> => {
  assertAccountsVisible(lib.answer.snapshot);
  if (hasAccountPlays(lib.answer.snapshot)) return lib;
  await service.limitUpstream(userId);
  const answer = await service.snapshotFor(lib.ctx, lib.section, { refresh: true, userId });
  const again = { ...lib, answer };
  assertAccountsVisible(again.answer.snapshot);
  if (!hasAccountPlays(again.answer.snapshot)) throw accountPlaysPending();
  return again;
};

/** The library's snapshot and the scope resolved against it. */
export const scopedLibrarySnapshot = async (
  service: SnapshotDeps,
  input: Parameters<typeof librarySnapshot>[1] & { scope: WatchScope },
): Promise<LibrarySnapshot & { scope: ResolvedScope }> => {
  let lib = await librarySnapshot(service, input);
  if (input.scope.kind !== 'anyone') lib = await withAccountPlays(service, lib, input.userId);
  return { ...lib, scope: await resolveScope(input.scope, lib.answer.snapshot, lib.ctx, input.signal) };
};
