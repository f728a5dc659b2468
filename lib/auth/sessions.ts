import { createHmac, randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { parseObjectId } from '../db/ids';
import { authClock } from './clock';
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
  /** Hash of the secret spent by the last rotation (presented again within the grace period, it is a retry). */
  previousHash?: string;
  createdAt: Date;
  rotatedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason?: 'logout' | 'reuse' | 'password_change' | 'user_deleted';
}

const sessions = async () => (await getDb()).collection<SessionDocument>(Collections.sessions);

const refreshExpiry = (from: Date): Date => new Date(from.getTime() + getConfig().REFRESH_TOKEN_TTL_DAYS * 86_400_000);

export const createSession = async (userId: ObjectId): Promise<{ sessionId: string; refreshToken: string }> => {
  const now = new Date(authClock.now());
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
 * A token presented again this soon after it was rotated is a client's retry or
 * double submit (parallel tabs, a lost answer), not theft: it gets the same
 * successor instead of ending the session.
 */
export const REFRESH_GRACE_MS = 10_000;

/**
 * The secret that replaces `secret`: derived, not random, so every concurrent
 * presenter of one token within the grace period receives the same successor.
 * Keyed with JWT_SECRET: nobody without the server's key can compute it.
 */
const successorOf = (sessionId: string, secret: string): string =>
  createHmac('sha256', getConfig().JWT_SECRET)
    .update(`plm-refresh-successor\n${sessionId}\n${secret}`)
    .digest('base64url');

const rotated = (session: SessionDocument, sessionId: string, secret: string): RotateResult => ({
  kind: 'rotated',
  userId: session.userId,
  sessionId,
  refreshToken: formatRefreshToken(sessionId, successorOf(sessionId, secret)),
});

const inGrace = (session: SessionDocument, presented: string, now: Date): boolean =>
  !session.revokedAt &&
  session.previousHash !== undefined &&
  sameHash(presented, session.previousHash) &&
  now.getTime() - session.rotatedAt.getTime() < REFRESH_GRACE_MS;

/**
 * Swaps the presented refresh token for its successor. The token rotated last
 * is accepted again for REFRESH_GRACE_MS (same successor). Presenting an older
 * spent token of the family means it was copied: the whole family is revoked.
 * A token the family never issued is just invalid (so a guessed session id
 * cannot be used to log someone out).
 */
export const rotateSession = async (refreshToken: string): Promise<RotateResult> => {
  const parsed = parseRefreshToken(refreshToken);
  if (!parsed) return { kind: 'invalid' };
  const col = await sessions();
  const _id = new ObjectId(parsed.sessionId);
  let session = await col.findOne({ _id });
  const now = new Date(authClock.now());
  if (!session || session.revokedAt || session.expiresAt <= now) return { kind: 'invalid' };
  const presented = hashRefreshSecret(parsed.secret);
  if (sameHash(presented, session.currentHash)) {
    // The filter on currentHash lets one of several concurrent refreshes rotate; the others are in grace.
    const updated = await col.findOneAndUpdate(
      { _id, currentHash: presented, revokedAt: null },
      {
        $set: {
          currentHash: hashRefreshSecret(successorOf(parsed.sessionId, parsed.secret)),
          previousHash: presented,
          rotatedAt: now,
          expiresAt: refreshExpiry(now),
        },
        $push: { spentHashes: { $each: [presented], $slice: -SPENT_KEPT } },
      },
    );
    if (updated) return rotated(updated, parsed.sessionId, parsed.secret);
    session = await col.findOne({ _id });
    if (!session || session.revokedAt) return { kind: 'invalid' };
  }
  if (inGrace(session, presented, now)) return rotated(session, parsed.sessionId, parsed.secret);
  if (!(session.spentHashes ?? []).some((h) => sameHash(h, presented))) return { kind: 'invalid' };
  await revokeSession(_id, 'reuse');
  return { kind: 'reused', userId: session.userId, sessionId: parsed.sessionId };
};

export const revokeSession = async (
  id: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<void> => {
  await (await sessions()).updateOne(
    { _id: id, revokedAt: null },
    { $set: { revokedAt: new Date(authClock.now()), revokedReason: reason } },
  );
};

export const revokeAllSessions = async (
  userId: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<number> =>
  (
    await (
      await sessions()
    ).updateMany({ userId, revokedAt: null }, { $set: { revokedAt: new Date(authClock.now()), revokedReason: reason } })
  ).modifiedCount;

/** True when the session exists, belongs to the user, and is neither revoked nor expired. */
export const isSessionActive = async (sessionId: string, userId: string): Promise<boolean> => {
  const id = parseObjectId(sessionId);
  if (!id || !parseObjectId(userId)) return false;
  const session = await (await sessions()).findOne(
    { _id: id },
    { projection: { userId: 1, revokedAt: 1, expiresAt: 1 } },
  );
  return (
    !!session &&
    session.userId.toHexString() === userId &&
    !session.revokedAt &&
    session.expiresAt > new Date(authClock.now())
  );
};

/** Revokes a session only if it belongs to `userId` (a user cannot end someone else's session). */
export const revokeSessionOf = async (
  userId: ObjectId,
  id: ObjectId,
  reason: NonNullable<SessionDocument['revokedReason']>,
): Promise<void> => {
  await (await sessions()).updateOne(
    { _id: id, userId, revokedAt: null },
    { $set: { revokedAt: new Date(authClock.now()), revokedReason: reason } },
  );
};
