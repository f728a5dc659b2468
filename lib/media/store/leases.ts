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

/** Whether a build holds the lease now (an unexpired, unreleased lease). */
export const isHeld = (doc: LeaseDoc | null, nowMs: number): doc is LeaseDoc & { holder: string } =>
  doc !== null && doc.holder !== null && doc.until.getTime() >= nowMs;

/** Renewals per lease lifetime: a few missed heartbeats (a slow database, a busy event loop) do not lose it. */
const HEARTBEATS_PER_TTL = 5;

export interface BuildEnd {
  outcome: BuildOutcome;
  error?: RecordedError | null;
  progress?: BuildProgress;
}

/**
 * The leases of one container. `now` (epoch ms) is the service's clock, so a
 * service with an injected clock judges expiry by it too.
 */
export class BuildLeases {
  constructor(
    private readonly db: () => Promise<Db> = getDb,
    private readonly now: () => number = Date.now,
  ) {}

  private async leases() {
    return (await this.db()).collection<LeaseDoc>(MediaCollections.leases);
  }

  /** Takes the lease if nobody holds it, its holder let it lapse, or `holder` holds it already. */
  async tryAcquire(key: string, holder: string, ttlMs: number): Promise<boolean> {
    const col = await this.leases();
    const _id = leaseId(key);
    const fields = started(holder, this.now(), ttlMs);
    try {
      await col.insertOne({ _id, key, ...fields });
      return true;
    } catch (e) {
      if (!isDuplicateKeyError(e)) throw e;
    }
    const taken = await col.updateOne(
      { _id, $or: [{ until: { $lt: new Date(this.now()) } }, { holder }] },
      { $set: { key, ...fields } },
    );
    return taken.modifiedCount === 1;
  }

  /** The heartbeat: extends the lease and records progress. False when it is no longer `holder`'s (it lapsed and was taken). */
  async renew(key: string, holder: string, ttlMs: number, progress: BuildProgress): Promise<boolean> {
    const nowMs = this.now();
    const renewed = await (await this.leases()).updateOne(
      { _id: leaseId(key), holder },
      { $set: { until: new Date(nowMs + ttlMs), heartbeatAt: new Date(nowMs), ...progress } },
    );
    return renewed.matchedCount === 1;
  }

  /** Renews every ttl/5 until stopped; a lease found taken by another builder aborts `lost`. */
  keepRenewing(key: string, holder: string, ttlMs: number, progress: BuildProgress, lost: AbortController) {
    const timer = setInterval(() => {
      this.renew(key, holder, ttlMs, progress).then(
        (ours) => {
          if (!ours) lost.abort(new Error('the refresh lease was taken over'));
        },
        (e: unknown) => logger.warn('refresh lease heartbeat failed', { error: e }),
      );
    }, ttlMs / HEARTBEATS_PER_TTL);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  /** Ends `holder`'s build: the lease is free at once, and the document keeps how the build ended. */
  async release(key: string, holder: string, end: BuildEnd): Promise<void> {
    const fields = { finishedAt: new Date(this.now()), outcome: end.outcome, error: end.error ?? null };
    await (await this.leases()).updateOne(
      { _id: leaseId(key), holder },
      { $set: { holder: null, until: new Date(0), reported: false, ...fields, ...(end.progress ?? {}) } },
    );
  }

  async read(key: string): Promise<LeaseDoc | null> {
    return (await this.leases()).findOne({ _id: leaseId(key) });
  }

  /** Whether someone (not necessarily us) holds an unexpired lease on `key`. */
  async held(key: string): Promise<boolean> {
    return isHeld(await this.read(key), this.now());
  }

  /**
   * Claims the right to answer a failed build's error (it is answered once, then
   * the next request builds again). False when another request claimed it first.
   */
  async claimFailureReport(key: string, finishedAt: Date): Promise<boolean> {
    const claimed = await (await this.leases()).updateOne(
      { _id: leaseId(key), outcome: 'failed', reported: false, finishedAt },
      { $set: { reported: true } },
    );
    return claimed.modifiedCount === 1;
  }
}
