/**
 * Best-effort cross-container leases: while one container rebuilds a library,
 * others serve what they have instead of hammering the same Plex server.
 * Expiry is checked by the query itself (no TTL index: the embedded store has
 * none), and uniqueness rides on the derived `_id`.
 */
import type { Db } from 'mongodb';
import { getDb } from '../../db/client';
import { isDuplicateKeyError } from '../../db/errors';
import { derivedId } from '../../db/ids';
import { MediaCollections } from './collections';

interface LeaseDoc {
  _id: ReturnType<typeof derivedId>;
  key: string;
  holder: string;
  until: Date;
}

/** `now` (epoch ms) is the caller's clock, so a service with an injected clock judges expiry by it too. */
export const tryAcquireLease = async (
  key: string,
  holder: string,
  ttlMs: number,
  db: () => Promise<Db> = getDb,
  now: () => number = Date.now,
): Promise<boolean> => {
  const col = (await db()).collection<LeaseDoc>(MediaCollections.leases);
  const _id = derivedId('media-lease', key);
  const until = new Date(now() + ttlMs);
  try {
    await col.insertOne({ _id, key, holder, until });
    return true;
  } catch (e) {
    if (!isDuplicateKeyError(e)) throw e;
  }
  const taken = await col.updateOne(
    { _id, $or: [{ until: { $lt: new Date(now()) } }, { holder }] },
    { $set: { holder, until } },
  );
  return taken.modifiedCount === 1;
};

/** Whether someone (not necessarily us) holds an unexpired lease on `key`. */
export const leaseHeld = async (
  key: string,
  db: () => Promise<Db> = getDb,
  now: () => number = Date.now,
): Promise<boolean> => {
  const doc = await (await db())
    .collection<LeaseDoc>(MediaCollections.leases)
    .findOne({ _id: derivedId('media-lease', key) });
  return doc !== null && doc.until.getTime() >= now();
};

export const releaseLease = async (key: string, holder: string, db: () => Promise<Db> = getDb): Promise<void> => {
  await (await db())
    .collection<LeaseDoc>(MediaCollections.leases)
    .deleteOne({ _id: derivedId('media-lease', key), holder });
};
