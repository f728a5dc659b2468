import type { ObjectId } from 'mongodb';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { isDuplicateKeyError } from '../db/errors';
import { derivedId } from '../db/ids';
import { conflict } from '../errors';
import { hashPassword } from './passwords';

export interface UserDocument {
  _id: ObjectId;
  username: string;
  /** NFKC + lower case: "Alice" and "alice" are one account. */
  usernameNormalized: string;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
  passwordChangedAt: Date;
}

export const USERNAME_MAX_LENGTH = 64;

export const normalizeUsername = (username: string): string => username.normalize('NFKC').trim().toLowerCase();

/** The user's `_id` is derived from the normalised name, so it is unique on every server. */
export const userIdFor = (username: string): ObjectId => derivedId('user', normalizeUsername(username));

const users = async () => (await getDb()).collection<UserDocument>(Collections.users);

export const findUserByUsername = async (username: string): Promise<UserDocument | null> =>
  (await users()).findOne({ _id: userIdFor(username) });

export const findUserById = async (id: ObjectId): Promise<UserDocument | null> => (await users()).findOne({ _id: id });

export const listUsers = async (): Promise<
  Array<Pick<UserDocument, '_id' | 'username' | 'createdAt' | 'passwordChangedAt'>>
> =>
  (await users())
    .find({}, { projection: { username: 1, createdAt: 1, passwordChangedAt: 1 } })
    .sort({ usernameNormalized: 1 })
    .toArray();

export const createUser = async (username: string, password: string): Promise<UserDocument> => {
  const now = new Date();
  const doc: UserDocument = {
    _id: userIdFor(username),
    username: username.normalize('NFKC').trim(),
    usernameNormalized: normalizeUsername(username),
    passwordHash: await hashPassword(password),
    createdAt: now,
    updatedAt: now,
    passwordChangedAt: now,
  };
  try {
    await (await users()).insertOne(doc);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw conflict(`User "${doc.username}" already exists`, 'USER_EXISTS');
    throw error;
  }
  return doc;
};

export const setPassword = async (id: ObjectId, password: string): Promise<boolean> => {
  const now = new Date();
  const result = await (await users()).updateOne(
    { _id: id },
    { $set: { passwordHash: await hashPassword(password), passwordChangedAt: now, updatedAt: now } },
  );
  return result.matchedCount === 1;
};

export const deleteUser = async (id: ObjectId): Promise<boolean> =>
  (await (await users()).deleteOne({ _id: id })).deletedCount === 1;
