import type { ObjectId } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { derivedId } from '../db/ids';
import { authClock } from './clock';

/**
 * Per-user budgets of the calls plm makes to user-chosen servers
 * (verifications, new credential proofs, forced refreshes, the warmer's
 * contacts), so plm cannot be used to scan or flood. Counted in MongoDB so a
 * budget holds across Lambda containers: one atomic upsert with $inc per user
 * and fixed window (the window is part of the derived `_id`, so a new window is
 * a new document; a TTL index cleans up on real MongoDB). Password attempts are
 * throttled differently (login-throttle.ts).
 */
interface BudgetDocument {
  _id: ObjectId;
  key: string;
  count: number;
  expiresAt: Date;
}

export type BudgetScope = 'verify' | 'upstream';

/** Calls per user per LOGIN_FAILURE_WINDOW_SECONDS (15 minutes by default). */
const BUDGETS: Record<BudgetScope, number> = { verify: 30, upstream: 60 };

const budgets = async () => (await getDb()).collection<BudgetDocument>(Collections.loginFailures);

const windowOf = (nowMs: number) => {
  const windowMs = getConfig().LOGIN_FAILURE_WINDOW_SECONDS * 1000;
  const start = Math.floor(nowMs / windowMs) * windowMs;
  return { id: start / windowMs, endsAt: start + windowMs };
};

/** Spends one call of the user's budget; over it, the seconds until the next window (0 = allowed). */
export const spendBudget = async (scope: BudgetScope, userId: string): Promise<number> => {
  const now = authClock.now();
  const window = windowOf(now);
  const key = `${scope}:user:${userId}`;
  const doc = await (await budgets()).findOneAndUpdate(
    { _id: derivedId('login-attempts', `${key}:${window.id}`) },
    { $inc: { count: 1 }, $setOnInsert: { key, expiresAt: new Date(window.endsAt) } },
    { upsert: true, returnDocument: 'after' },
  );
  return (doc?.count ?? 1) > BUDGETS[scope] ? Math.max(1, Math.ceil((window.endsAt - now) / 1000)) : 0;
};
