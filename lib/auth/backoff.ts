import type { Collection, ObjectId } from 'mongodb';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { derivedId } from '../db/ids';
import { authClock } from './clock';

/**
 * Exponential back-off per key (a (user, IP) pair, an IP, an account), kept in
 * MongoDB so it holds across Lambda containers.
 *
 * A key allows `free` failures; the failure that reaches it locks the key for
 * `baseMs`, and each further failure (one attempt per unlocked moment) doubles
 * the wait, up to `maxMs`. Failures are forgotten `forgetMs` after the last one.
 *
 * Parallel guesses must all count, so an attempt is reserved BEFORE the
 * password is checked: `pending` counts attempts in flight, and failures plus
 * pending may not exceed what is left of the budget (one at a time once the
 * key has been locked). An attempt that finds the budget held by attempts in
 * flight waits for them to settle (a burst of correct logins from one office
 * goes through; a burst of guesses stops at the budget). Each step is one
 * atomic `$inc`; an attempt over the limit takes its increment back.
 */
interface BackoffDocument {
  _id: ObjectId;
  key: string;
  failures: number;
  pending: number;
  /** When `pending` last grew: counts of attempts that never settled (a killed container) go stale. */
  pendingAt: Date;
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
  /** The attempt failed (a wrong password): counted, and the key locked once it reaches `free`. */
  failed(): Promise<void>;
  /** The attempt succeeded, or another key refused it: not counted. */
  released(): Promise<void>;
  /** Forget every failure of this key (a success of the pair itself). */
  reset(): Promise<void>;
}

/** An attempt waits at most this long for attempts in flight to settle (a login takes well under a second). */
const MAX_QUEUE_MS = 10_000;
const QUEUE_POLL_MS = 100;
/** Attempts in flight for longer than this were lost (the container died): their count is dropped. */
const STALE_PENDING_MS = 30_000;
const UNLOCKED = new Date(0);

const backoffs = async (): Promise<Collection<BackoffDocument>> =>
  (await getDb()).collection<BackoffDocument>(Collections.loginFailures);

const delayMs = (lockNumber: number, timing: BackoffTiming): number =>
  Math.min(timing.maxMs, timing.baseMs * 2 ** Math.max(0, lockNumber - 1));

type Verdict = { go: true } | { go: false; lockedMs: number };

/** One try at reserving a place for an attempt: `go`, or how long the key is locked (0: wait for attempts in flight). */
const tryReserve = async (
  col: Collection<BackoffDocument>,
  _id: ObjectId,
  key: string,
  free: number,
  timing: BackoffTiming,
): Promise<Verdict> => {
  const now = authClock.now();
  // Attempts a crashed container left pending are let go first, so an expired key is forgotten even then.
  await col.updateOne({ _id, pendingAt: { $lt: new Date(now - STALE_PENDING_MS) } }, { $set: { pending: 0 } });
  await col.deleteOne({ _id, expiresAt: { $lte: new Date(now) }, pending: 0 });
  const doc = await col.findOneAndUpdate(
    { _id },
    {
      $inc: { pending: 1 },
      $set: { pendingAt: new Date(now), expiresAt: new Date(now + timing.forgetMs) },
      $setOnInsert: { key, failures: 0, lockedUntil: UNLOCKED },
    },
    { upsert: true, returnDocument: 'after' },
  );
  const failures = doc?.failures ?? 0;
  const pending = doc?.pending ?? 1;
  const lockedMs = (doc?.lockedUntil.getTime() ?? 0) - now;
  // Before the first lock, what is left of the budget; after it, one attempt at a time.
  const room = failures < free ? free - failures : 1;
  if (lockedMs <= 0 && pending <= room) return { go: true };
  await col.updateOne({ _id }, { $inc: { pending: -1 } });
  return { go: false, lockedMs: Math.max(0, lockedMs) };
};

/** One attempt under `key`, allowed `free` failures before the back-off starts. */
export const passBackoff = async (key: string, free: number, timing: BackoffTiming): Promise<Passage> => {
  const col = await backoffs();
  const _id = derivedId('login-backoff', key);
  // Waiting is real time, whatever the clock of the counters says (tests move that one).
  const queuedUntil = Date.now() + MAX_QUEUE_MS;
  for (;;) {
    const verdict = await tryReserve(col, _id, key, free, timing);
    if (verdict.go) break;
    if (verdict.lockedMs > 0 || Date.now() >= queuedUntil) return refused(Math.max(1000, verdict.lockedMs));
    await new Promise((r) => setTimeout(r, QUEUE_POLL_MS * (0.5 + Math.random())));
  }
  const settle = async (failed: boolean) => {
    const now = authClock.now();
    const after = await col.findOneAndUpdate(
      { _id },
      { $inc: { pending: -1, failures: failed ? 1 : 0 }, $set: { expiresAt: new Date(now + timing.forgetMs) } },
      { returnDocument: 'after' },
    );
    const failures = after?.failures ?? 0;
    if (!failed || failures < free) return;
    // The failure that reaches the budget locks the key; each later one doubles the wait.
    const lockedUntil = new Date(now + delayMs(failures - free + 1, timing));
    await col.updateOne({ _id }, { $max: { lockedUntil } });
  };
  return {
    waitMs: 0,
    failed: () => settle(true),
    released: () => settle(false),
    reset: async () => {
      await col.deleteOne({ _id });
    },
  };
};

const refused = (waitMs: number): Passage => ({
  waitMs,
  failed: async () => undefined,
  released: async () => undefined,
  reset: async () => undefined,
});
