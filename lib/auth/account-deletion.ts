import type { ObjectId } from 'mongodb';
import { recordAudit } from '../audit/audit-log';
import { KeepStore } from '../media/keep/keep-store';
import { deleteSettings } from '../settings/repository';
import { revokeAllSessions } from './sessions';
import { deleteUser } from './users';

/**
 * Deletes an account and everything tied to it. User ids derive from the
 * username, so leftovers (settings with stored Plex tokens, keep lists) would otherwise be
 * inherited by the next account created with the same name.
 */
export const deleteAccount = async (user: { _id: ObjectId; username: string }): Promise<void> => {
  // The user goes first: no login can start a new session while the rest is removed.
  await deleteUser(user._id);
  await revokeAllSessions(user._id, 'user_deleted');
  await deleteSettings(user._id.toHexString());
  await new KeepStore().removeAllOf(user._id.toHexString());
  await recordAudit({ type: 'user_deleted', userId: user._id, username: user.username });
};
