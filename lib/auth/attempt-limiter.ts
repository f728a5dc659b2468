import type { ObjectId } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { derivedId } from '../db/ids';

/**
 * Attempt counters in MongoDB (logins, password checks, upstream verifications),
 * so each limit holds across Lambda containers.
 *
 * An attempt is RESERVED before the password is checked: one atomic upsert
 * with $inc per key and fixed window, so parallel guesses all count (a check
 * before bcrypt and a write after it would let a burst through). The window is
 * part of the derived `_id`, so a new window is simply a new document; expiry
 * is cleaned by a TTL index on real MongoDB and never needed for correctness.
 */
interface AttemptDocument {
  _id: ObjectId;
  key: string;
  count: number;
  expiresAt: Date;
}

export type ThrottleScope = 'login' | 'password' | 'verify' | 'upstream';

/**
 * Verifications, new credential proofs and forced refreshes make plm call
 * user-chosen servers: bounded per user so plm cannot be used to scan or flood.
 */
const PER_USER_ONLY: Partial<Record<ThrottleScope, number>> = { verify: 30, upstream: 60 };

interface Counter {
  key: string;
  max: number;
}

const attempts = async () => (await getDb()).collection<AttemptDocument>(Collections.loginFailures);

const countersFor = (scope: ThrottleScope, subject: string, ip: string | undefined): Counter[] => {
  const config = getConfig();
  const perUser = PER_USER_ONLY[scope];
  if (perUser !== undefined) return [{ key: `${scope}:user:${subject}`, max: perUser }];
  const counters = [{ key: `${scope}:user:${subject}`, max: config.LOGIN_MAX_FAILURES_PER_USER }];
  if (ip) counters.push({ key: `${scope}:ip:${ip}`, max: config.LOGIN_MAX_FAILURES_PER_IP });
  return counters;
};

const windowOf = (nowMs: number) => {
  const windowMs = getConfig().LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const start = Math.floor(nowMs / windowMs) * windowMs;
  return { id: start / windowMs, endsAt: start + windowMs };
};

const idOf = (key: string, windowId: number) => derivedId('login-attempts', `${key}:${windowId}`);

export interface Reservation {
  /** Seconds until the caller may try again; 0 when this attempt is allowed. */
  retryAfterSeconds: number;
  /**
   * After a success: forgets the username's failures and gives the IP its attempt
   * back, so legitimate logins never add up to a lockout.
   */
  release(): Promise<void>;
}

/** Counts one attempt for the subject (normalised username or user id) and the client IP; over the limit, says how long to wait. */
export const reserveAttempt = async (
  scope: ThrottleScope,
  subject: string,
  ip: string | undefined,
): Promise<Reservation> => {
  const now = Date.now();
  const window = windowOf(now);
  const col = await attempts();
  const counters = countersFor(scope, subject, ip);
  const counts = await Promise.all(
    counters.map(async ({ key }) => {
      const doc = await col.findOneAndUpdate(
        { _id: idOf(key, window.id) },
        { $inc: { count: 1 }, $setOnInsert: { key, expiresAt: new Date(window.endsAt) } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc?.count ?? 1;
    }),
  );
  const blocked = counters.some((c, i) => (counts[i] ?? 0) > c.max);
  return {
    retryAfterSeconds: blocked ? Math.max(1, Math.ceil((window.endsAt - now) / 1000)) : 0,
    release: async () => {
      const [user, ...rest] = counters;
      await Promise.all([
        user ? col.updateOne({ _id: idOf(user.key, window.id) }, { $set: { count: 0 } }) : undefined,
        ...rest.map(({ key }) =>
          col.updateOne({ _id: idOf(key, window.id), count: { $gt: 0 } }, { $inc: { count: -1 } }),
        ),
      ]);
    },
  };
};
