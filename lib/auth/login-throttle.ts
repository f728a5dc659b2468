import type { ObjectId } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { Collections } from '../db/collections';
import { derivedId } from '../db/ids';

/**
 * Failed-login counters in MongoDB, so the limit holds across Lambda containers.
 * Fixed windows per username and per client IP; one document per key (derived
 * `_id`), expiry checked in queries and cleaned by a TTL index on real MongoDB.
 */
interface FailureDocument {
  _id: ObjectId;
  key: string;
  count: number;
  expiresAt: Date;
}

const failures = async () => (await getDb()).collection<FailureDocument>(Collections.loginFailures);

const keysFor = (usernameNormalized: string, ip: string | undefined) => {
  const config = getConfig();
  const keys = [{ key: `user:${usernameNormalized}`, max: config.LOGIN_MAX_FAILURES_PER_USER }];
  if (ip) keys.push({ key: `ip:${ip}`, max: config.LOGIN_MAX_FAILURES_PER_IP });
  return keys;
};

/** Seconds until login is allowed again, or 0 when it is allowed now. */
export const loginBlockedFor = async (usernameNormalized: string, ip: string | undefined): Promise<number> => {
  const now = Date.now();
  const keys = keysFor(usernameNormalized, ip);
  const docs = await (await failures()).find({ _id: { $in: keys.map((k) => derivedId('login', k.key)) } }).toArray();
  let wait = 0;
  for (const doc of docs) {
    const limit = keys.find((k) => k.key === doc.key)?.max ?? Infinity;
    const remainingMs = doc.expiresAt.getTime() - now;
    if (doc.count >= limit && remainingMs > 0) wait = Math.max(wait, Math.ceil(remainingMs / 1000));
  }
  return wait;
};

export const recordLoginFailure = async (usernameNormalized: string, ip: string | undefined): Promise<void> => {
  const col = await failures();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + getConfig().LOGIN_FAILURE_WINDOW_SECONDS * 1000);
  await Promise.all(
    keysFor(usernameNormalized, ip).map(async ({ key }) => {
      const _id = derivedId('login', key);
      // Count inside the live window; otherwise start a new window.
      const inc = await col.updateOne({ _id, expiresAt: { $gt: now } }, { $inc: { count: 1 } });
      if (inc.matchedCount === 0) await col.updateOne({ _id }, { $set: { key, count: 1, expiresAt } }, { upsert: true });
    }),
  );
};

/** A successful login clears the username's counter (the IP counter keeps counting other names). */
export const clearLoginFailures = async (usernameNormalized: string): Promise<void> => {
  await (await failures()).deleteOne({ _id: derivedId('login', `user:${usernameNormalized}`) });
};
