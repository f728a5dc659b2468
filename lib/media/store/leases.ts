/**
 * One build per library at a time, across containers: a lease in MongoDB that
 * its builder renews while it works (a heartbeat that also carries progress)
 * and marks with the outcome when it ends. A builder that dies stops renewing,
 * so its lease lapses within the TTL and the next request takes it over; one
 * that stops (an abort, a failure) releases it at once. The document outlives
 * the build: it is the library's build status (GET /api/library/{id}/refresh).
 *
 * Expiry is checked by the queries themselves (no TTL index: the embedded
 * store has none), and uniqueness rides on the derived `_id`.
 */
import type { Db, ObjectId } from 'mongodb';
import { getDb } from '../../db/client';
import { isDuplicateKeyError } from '../../db/errors';
import { derivedId } from '../../db/ids';
import { logger } from '../../logger';
import { MediaCollections } from './collections';
import type { RecordedError } from './recorded-error';

export type BuildOutcome = 'built' | 'failed' | 'aborted';

export interface BuildProgress {
  /** Upstream rows read so far (listing, leaf, history and Tautulli rows). */
  itemsRead: number;
  /** Rows the upstreams announced (their first pages' totals), when known. */
  itemsExpected: number | null;
}

export interface LeaseDoc extends BuildProgress {
  _id: ObjectId;
  key: string;
  /** Null once released. */
  holder: string | null;
  /** The lease lapses at this time unless renewed; in the past once released. */
  until: Date;
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
  outcome: BuildOutcome | null;
  error: RecordedError | null;
  /** A failed build's error has been answered to a client (it is reported once). */
  reported: boolean;
}

type LeaseDb = () => Promise<Db>;
const leases = async (db: LeaseDb) => (await db()).collection<LeaseDoc>(MediaCollections.leases);
const leaseId = (key: string): ObjectId => derivedId('media-lease', key);

/** A fresh build's fields: no progress, no outcome. */
const started = (holder: string, nowMs: number, ttlMs: number) => ({
  holder,
  until: new Date(nowMs + ttlMs),
  startedAt: new Date(nowMs),
  heartbeatAt: new Date(nowMs),
  itemsRead: 0,
  itemsExpected: null,
  finishedAt: null,
  outcome: null,
  error: null,
  reported: false,
});

/**
 * Takes the lease if nobody holds it, its holder let it lapse, or we hold it
 * already. `now` (epoch ms) is the caller's clock, so a service with an
 * injected clock judges expiry by it too.
 */
export const tryAcquireLease = async (
  key: string,
  holder: string,
  ttlMs: number,
  db: LeaseDb = getDb,
  now: () => number = Date.now,
): Promise<boolean> => {
  const col = await leases(db);
  const _id = leaseId(key);
  const fields = started(holder, now(), ttlMs);
  try {
    await col.insertOne({ _id, key, ...fields });
    return true;
  } catch (e) {
    if (!isDuplicateKeyError(e)) throw e;
  }
  const taken = await col.updateOne(
    { _id, $or: [{ until: { $lt: new Date(now()) } }, { holder }] },
    { $set: { key, ...fields } },
  );
  return taken.modifiedCount === 1;
};

/** The heartbeat: extends our lease and records progress. False when it is no longer ours (it lapsed and was taken). */
export const renewLease = async (
  key: string,
  holder: string,
  ttlMs: number,
  progress: BuildProgress,
  db: LeaseDb = getDb,
  now: () => number = Date.now,
): Promise<boolean> => {
  const nowMs = now();
  const renewed = await (await leases(db)).updateOne(
    { _id: leaseId(key), holder },
    { $set: { until: new Date(nowMs + ttlMs), heartbeatAt: new Date(nowMs), ...progress } },
  );
  return renewed.matchedCount === 1;
};

/** Renewals per lease lifetime: a few missed heartbeats (a slow database, a busy event loop) do not lose it. */
const HEARTBEATS_PER_TTL = 5;

/**
 * The builder's heartbeat: renews the lease with the build's progress until
 * stopped; a lease found taken by another builder aborts `lost`.
 */
export const keepRenewing = (o: {
  key: string;
  holder: string;
  ttlMs: number;
  progress: BuildProgress;
  lost: AbortController;
  now: () => number;
  db?: LeaseDb;
}): { stop(): void } => {
  const timer = setInterval(() => {
    renewLease(o.key, o.holder, o.ttlMs, o.progress, o.db, o.now).then(
      (ours) => {
        if (!ours) o.lost.abort(new Error('the refresh lease was taken over'));
      },
      (e: unknown) => logger.warn('refresh lease heartbeat failed', { error: e }),
    );
  }, o.ttlMs / HEARTBEATS_PER_TTL);
  timer.unref();
  return { stop: () => clearInterval(timer) };
};

/** Ends our build: the lease is free at once, and the document keeps how the build ended. */
export const releaseLease = async (
  key: string,
  holder: string,
  end: { outcome: BuildOutcome; error?: RecordedError | null; progress?: BuildProgress },
  db: LeaseDb = getDb,
  now: () => number = Date.now,
): Promise<void> => {
  await (await leases(db)).updateOne(
    { _id: leaseId(key), holder },
    {
      $set: {
        holder: null,
        until: new Date(0),
        finishedAt: new Date(now()),
        outcome: end.outcome,
        error: end.error ?? null,
        reported: false,
        ...(end.progress ?? {}),
      },
    },
  );
};

export const readLease = async (key: string, db: LeaseDb = getDb): Promise<LeaseDoc | null> =>
  (await leases(db)).findOne({ _id: leaseId(key) });

/** Whether a build holds the lease now (an unexpired, unreleased lease). */
export const isHeld = (doc: LeaseDoc | null, nowMs: number): doc is LeaseDoc & { holder: string } =>
  doc !== null && doc.holder !== null && doc.until.getTime() >= nowMs;

/** Whether someone (not necessarily us) holds an unexpired lease on `key`. */
export const leaseHeld = async (key: string, db: LeaseDb = getDb, now: () => number = Date.now): Promise<boolean> =>
  isHeld(await readLease(key, db), now());

/**
 * Claims the right to answer a failed build's error (it is answered once, then
 * the next request builds again). False when another request claimed it first.
 */
export const claimFailureReport = async (key: string, finishedAt: Date, db: LeaseDb = getDb): Promise<boolean> => {
  const claimed = await (await leases(db)).updateOne(
    { _id: leaseId(key), outcome: 'failed', reported: false, finishedAt },
    { $set: { reported: true } },
  );
  return claimed.modifiedCount === 1;
};
