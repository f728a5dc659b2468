import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { parseObjectId } from '../db/ids';
import { formatRefreshToken, hashRefreshSecret, newRefreshSecret, parseRefreshToken, sameHash } from './tokens';

/**
 * A session is one refresh-token family, held in ONE document so rotation and
 * reuse detection are single-document atomic updates (no transactions needed).
 */
export interface SessionDocument {
  _id: ObjectId;
  userId: ObjectId;
  /** SHA-256 of the only refresh secret that may be used next. */
  currentHash: string;
  /** Hashes of the last few spent secrets: presenting one of them is reuse (theft), not a typo. */
  spentHashes: string[];
  createdAt: Date;
  rotatedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason?: 'logout' | 'reuse' | 'password_change' | 'user_deleted';
}

const sessions = async () => (await getDb()).collection<SessionDocument>(Collections.sessions);

const refreshExpiry = (from: Date): Date => new Date(from.getTime() + getConfig().REFRESH_TOKEN_TTL_DAYS * 86_400_000);

export const createSession = async (userId: ObjectId): Promise<{ sessionId: string; refreshToken: string }> => {
  const now = new Date();
  const secret = newRefreshSecret();
  // Random, not a counter-based ObjectId: a session id must not be guessable from another.
  const _id = new ObjectId(randomBytes(12));
  await (await sessions()).insertOne({
    _id,
    userId,
    currentHash: hashRefreshSecret(secret),
    spentHashes: [],
    createdAt: now,
    rotatedAt: now,
    expiresAt: refreshExpiry(now),
    revokedAt: null,
  });
  return { sessionId: _id.toHexString(), refreshToken: formatRefreshToken(_id.toHexString(), secret) };
};

export type RotateResult =
  | { kind: 'rotated'; userId: ObjectId; sessionId: string; refreshToken: string }
  | { kind: 'invalid' }
  | { kind: 'reused'; userId: ObjectId; sessionId: string };

const SPENT_KEPT = 10;

/**
 * Swaps the presented refresh token for a new one. Presenting an already-spent
 * token of the family means it was copied: the whole family is revoked. A token
 * the family never issued is just invalid (so a guessed session id cannot be
 * used to log someone out).
 */
export const rotateSession = async (refreshToken: string): Promise<RotateResult> => {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) return { kind: 'invalid' };
  const col = await sessions();
  const _id = new ObjectId(parsed.sessionId);
  const session = await col.findOne({ _id });
  const now = new Date();
  if (!session || session.revokedAt || session.expiresAt <= now) return { kind: 'invalid' };
  const presented = hashRefreshSecret(parsed.secret);
  if (!sameHash(presented, session.currentHash)) {
    if (!(session.spentHashes ?? []).some((h) => sameHash(h, presented))) return { kind: 'invalid' };
    await revokeSession(_id, 'reuse');
    return { kind: 'reused', userId: session.userId, sessionId: parsed.sessionId };
  }
  const secret = newRefreshSecret();
  // The filter on currentHash makes two concurrent refreshes with one token a reuse, not two sessions.
  const updated = await col.findOneAndUpdate(
    { _id, currentHash: presented, revokedAt: null },
    {
      $set: { currentHash: hashRefreshSecret(secret), rotatedAt: now, expiresAt: refreshExpiry(now) },
      $push: { spentHashes: { $each: [presented], $slice: -SPENT_KEPT } },
    },
  );
  if (!updated) {
    await revokeSession(_id, 'reuse');
    return { kind: 'reused', userId: session.userId, sessionId: parsed.sessionId };
  }
  return {
    kind: 'rotated',
    userId: session.userId,
    sessionId: parsed.sessionId,
    refreshToken: formatRefreshToken(parsed.sessionId, secret),
  };
};

export const revokeSession = async (
  id: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<void> => {
  await (await sessions()).updateOne(
    { _id: id, revokedAt: null },
    { $set: { revokedAt: new Date(), revokedReason: reason } },
  );
};

export const revokeAllSessions = async (
  userId: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<number> =>
  (
    await (
      await sessions()
    ).updateMany({ userId, revokedAt: null }, { $set: { revokedAt: new Date(), revokedReason: reason } })
  ).modifiedCount;

/** True when the session exists, belongs to the user, and is neither revoked nor expired. */
export const isSessionActive = async (sessionId: string, userId: string): Promise<boolean> => {
  const id = parseObjectId(sessionId);
  if (!id || !parseObjectId(userId)) return false;
  const session = await (await sessions()).findOne(
    { _id: id },
    { projection: { userId: 1, revokedAt: 1, expiresAt: 1 } },
  );
  return !!session && session.userId.toHexString() === userId && !session.revokedAt && session.expiresAt > new Date();
};

/** Revokes a session only if it belongs to `userId` (a user cannot end someone else's session). */
export const revokeSessionOf = async (
  userId: ObjectId,
  id: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<void> => {
  await (await sessions()).updateOne(
    { _id: id, userId, revokedAt: null },
    { $set: { revokedAt: new Date(), revokedReason: reason } },
  );
};
