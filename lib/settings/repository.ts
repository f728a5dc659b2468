import type { ObjectId } from 'mongodb';
import type { SealedSecret } from '../crypto/secret-box';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { isDuplicateKeyError } from '../db/errors';
import { derivedId, parseObjectId } from '../db/ids';
import { badRequest } from '../errors';
import type { PlainValues, SecretField } from './schema';

/**
 * One document per user, `_id` derived from the user id: uniqueness holds on
 * every MongoDB-wire server, and each write is a single-document operation
 * guarded by `version` (optimistic concurrency instead of transactions).
 */
export interface SettingsDocument {
  _id: ObjectId;
  userId: ObjectId;
  /** increases by one on every change */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** only the fields the user set; absent = use the server default */
  values: Partial<PlainValues>;
  /** AES-256-GCM boxes, bound to (userId, field) */
  secrets: Partial<Record<SecretField, SealedSecret>>;
}

export const settingsCollection = async () => (await getDb()).collection<SettingsDocument>(Collections.settings);

export const userObjectId = (userId: string): ObjectId => {
  const id = parseObjectId(userId);
  if (!id) throw badRequest('Invalid user id', 'INVALID_USER_ID');
  return id;
};

export const settingsDocId = (userId: string): ObjectId => derivedId('settings', userObjectId(userId).toHexString());

export const findSettings = async (userId: string): Promise<SettingsDocument | null> =>
  (await settingsCollection()).findOne({ _id: settingsDocId(userId) });

/**
 * Writes `next` only if the stored version is still `expectedVersion`
 * (0 = no document yet). Returns false when another write got there first.
 */
export const writeSettingsIfVersion = async (next: SettingsDocument, expectedVersion: number): Promise<boolean> => {
  const col = await settingsCollection();
  if (expectedVersion === 0) {
    try {
      await col.insertOne(next);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
  const result = await col.replaceOne({ _id: next._id, version: expectedVersion }, next);
  return result.matchedCount === 1;
};

/** Removes a user's settings (their stored secrets included); used when the account is deleted. */
export const deleteSettings = async (userId: string): Promise<boolean> =>
  (await (await settingsCollection()).deleteOne({ _id: settingsDocId(userId) })).deletedCount === 1;
