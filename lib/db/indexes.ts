import type { Db, IndexDescription } from 'mongodb';
import { keepIndexes } from '../media/keep/indexes';
import { mediaIndexes } from '../media/store/indexes';
import { settingsIndexes } from '../settings/indexes';
import { Collections } from './collections';

/**
 * Every index plm needs, declared once. Uniqueness that matters is also carried
 * by derived `_id`s (see ids.ts) because the embedded store ignores unique
 * secondary indexes; TTL indexes clean up on real MongoDB, and every query that
 * depends on expiry also checks it itself (the embedded store never expires).
 */
export const INDEXES: Record<string, IndexDescription[]> = {
  [Collections.users]: [{ key: { usernameNormalized: 1 }, name: 'username_unique', unique: true }],
  [Collections.sessions]: [
    { key: { userId: 1, revokedAt: 1 }, name: 'user_sessions' },
    { key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 },
  ],
  [Collections.loginFailures]: [{ key: { expiresAt: 1 }, name: 'expires_ttl', expireAfterSeconds: 0 }],
  [Collections.audit]: [
    { key: { userId: 1, at: -1 }, name: 'user_time' },
    { key: { at: 1 }, name: 'retention_ttl', expireAfterSeconds: 400 * 24 * 3600 },
  ],
  ...settingsIndexes,
  ...mediaIndexes,
  ...keepIndexes,
};

const ensured = new WeakSet<Db>();

export const ensureIndexes = async (db: Db): Promise<void> => {
  if (ensured.has(db)) return;
  await Promise.all(
    Object.entries(INDEXES).map(([name, specs]) =>
      specs.length ? db.collection(name).createIndexes(specs) : undefined,
    ),
  );
  ensured.add(db);
};
