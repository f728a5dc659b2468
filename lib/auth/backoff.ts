import type { Collection, ObjectId } from 'mongodb';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { isDuplicateKeyError } from '../db/errors';
import { derivedId } from '../db/ids';
import { authClock } from './clock';

/**
 * Exponential back-off per key (a (user, IP) pair, an IP, an account), kept in
 * MongoDB so it holds across Lambda containers.
 *
 * Each attempt is counted BEFORE the password is checked, with one atomic
 * `$inc` that only matches while the key is not locked, so parallel guesses all
 * count. The first `free - 1` failures pass freely; from the `free`-th on, an
 * attempt passes only if it is the one that sets the next lock (a
 * compare-and-swap on `lockedUntil`): exactly one attempt per unlocked moment,
 * after which the key waits `baseMs · 2^(locks-1)`, capped at `maxMs`. Refused
 * attempts are not counted. A key forgets its failures `forgetMs` after the
 * last one (TTL index on real MongoDB; checked here too, the embedded store
 * never expires anything).
 */
interface BackoffDocument {
  _id: ObjectId;
  key: string;
  failures: number;
  locks: number;
  lockedUntil: Date;
  expiresAt: Date;
}

export interface BackoffTiming {
  baseMs: number;
  maxMs: number;
  forgetMs: number;
}

/** What one key made of an attempt. */
export interface Passage {
  /** 0 when the attempt may go on; otherwise how long to wait. */
  waitMs: number;
  /** Undo this attempt's count (and the lock it set): it succeeded, or another key refused it. */
  undo(): Promise<void>;
  /** Forget every failure of this key (a success of the pair itself). */
  reset(): Promise<void>;
}

const UNLOCKED = new Date(0);

const backoffs = async (): Promise<Collection<BackoffDocument>> =>
  (await getDb()).collection<BackoffDocument>(Collections.loginFailures);

export const delayMs = (lockNumber: number, timing: BackoffTiming): number =>
  Math.min(timing.maxMs, timing.baseMs * 2 ** Math.max(0, lockNumber - 1));

/** Counts one attempt under `key`; the document as it was before, or null when the key is locked. */
const count = async (
  col: Collection<BackoffDocument>,
  _id: ObjectId,
  key: string,
  now: number,
  timing: BackoffTiming,
): Promise<{ before: BackoffDocument | null } | null> => {
  await col.deleteOne({ _id, expiresAt: { $lte: new Date(now) } });
  try {
    const before = await col.findOneAndUpdate(
      { _id, lockedUntil: { $lte: new Date(now) } },
      {
        $inc: { failures: 1 },
        $set: { expiresAt: new Date(now + timing.forgetMs) },
        $setOnInsert: { key, locks: 0, lockedUntil: UNLOCKED },
      },
      { upsert: true, returnDocument: 'before' },
    );
    return { before };
  } catch (error) {
    // The filter did not match an existing document: it is locked.
    if (isDuplicateKeyError(error)) return null;
    throw error;
  }
};

const waitOf = async (col: Collection<BackoffDocument>, _id: ObjectId, now: number): Promise<number> => {
  const doc = await col.findOne({ _id }, { projection: { lockedUntil: 1 } });
  return Math.max(1000, (doc?.lockedUntil.getTime() ?? now) - now);
};

const refused = (waitMs: number): Passage => ({
  waitMs,
  undo: async () => undefined,
  reset: async () => undefined,
});

/** One attempt under `key`, allowed `free` failures before the back-off starts. */
export const passBackoff = async (key: string, free: number, timing: BackoffTiming): Promise<Passage> => {
  const col = await backoffs();
  const _id = derivedId('login-backoff', key);
  const now = authClock.now();
  const counted = await count(col, _id, key, now, timing);
  if (!counted) return refused(await waitOf(col, _id, now));
  const failures = (counted.before?.failures ?? 0) + 1;
  const seenLock = counted.before?.lockedUntil ?? UNLOCKED;
  const locks = counted.before?.locks ?? 0;
  const reset = async () => {
    await col.deleteOne({ _id });
  };
  const uncount = async () => {
    await col.updateOne({ _id, failures: { $gt: 0 } }, { $inc: { failures: -1 } });
  };
  if (failures < free) return { waitMs: 0, undo: uncount, reset };
  // From here on only the attempt that sets the next lock goes through.
  const lock = new Date(now + delayMs(locks + 1, timing));
  const won = await col.updateOne(
    { _id, lockedUntil: seenLock, locks },
    { $set: { lockedUntil: lock }, $inc: { locks: 1 } },
  );
  if (won.matchedCount !== 1) {
    await uncount();
    return refused(await waitOf(col, _id, now));
  }
  const undo = async () => {
    const reverted = await col.updateOne(
      { _id, lockedUntil: lock },
      { $set: { lockedUntil: seenLock }, $inc: { locks: -1, failures: -1 } },
    );
    if (reverted.matchedCount !== 1) await uncount();
  };
  return { waitMs: 0, undo, reset };
};
