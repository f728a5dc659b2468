/**
 * GET /api/library/{id}/accounts: the accounts `scope=user:` can name, with
 * how much of the library each played. Needs the owner's token, like every
 * scope: only it reads every account's history and the account names.
 */
import { librarySnapshot, type SnapshotDeps } from '../library-snapshot';
import type { SnapshotAnswer } from '../snapshot-policy';
import { accountStatsOf, type LibraryAccount, libraryAccounts, plexAccounts } from './accounts';
import { withAccountPlays } from './resolve-scope';

export const listAccounts = async (
  service: SnapshotDeps,
  input: { userId: string; libraryId: string; signal?: AbortSignal },
): Promise<{ accounts: LibraryAccount[]; answer: SnapshotAnswer }> => {
  const lib = await withAccountPlays(service, await librarySnapshot(service, input), input.userId);
  const names = await plexAccounts(lib.ctx, input.signal);
  return { accounts: libraryAccounts(names, accountStatsOf(lib.answer.snapshot)), answer: lib.answer };
};
