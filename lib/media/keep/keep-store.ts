/**
 * The keep list in MongoDB: one document per kept item, per user and Plex
 * server, addressed by a derived `_id` (user, server, library, item), so a
 * keep is unique on every MongoDB-wire server (the embedded store has no
 * unique secondary indexes) and PUT is an idempotent upsert. Expiry is checked
 * on read (the embedded store has no TTL). The collection is user data: its
 * name does not start with `media`, so the local store keeps it across restarts.
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import { getDb } from '../../db/client';
import { derivedId } from '../../db/ids';
import type { MediaType } from '../types';

export const KEEP_COLLECTION = 'keep_list';

/** Which library of which server, for whom. */
export interface KeepRef {
  userId: string;
  machineIdentifier: string;
  sectionId: string;
}

/** What the user says about a keep. */
export interface KeepChoice {
  note: string | null;
  expiresAt: Date | null;
}

/** The item as the snapshot showed it when kept: still shown if it disappears from Plex. */
export interface KeptItem {
  itemId: string;
  title: string;
  type: MediaType;
  sizeBytes: number;
}

export interface KeepDoc extends KeepRef, KeptItem, KeepChoice {
  _id: ObjectId;
  createdAt: Date;
  updatedAt: Date;
}

const keepId = (ref: KeepRef, itemId: string): ObjectId =>
  derivedId('keep', `${ref.userId}\n${ref.machineIdentifier}\n${ref.sectionId}\n${itemId}`);

/** A keep applies until its expiry (exclusive). */
/** Keeps grouped by library, each group in the order read. */
export const keepsBySection = (docs: readonly KeepDoc[]): Map<string, KeepDoc[]> => {
  const groups = new Map<string, KeepDoc[]>();
  for (const doc of docs) {
    const group = groups.get(doc.sectionId);
    if (group) group.push(doc);
    else groups.set(doc.sectionId, [doc]);
  }
  return groups;
};

export const isActive = (doc: Pick<KeepDoc, 'expiresAt'>, nowMs: number): boolean =>
  doc.expiresAt === null || doc.expiresAt.getTime() > nowMs;

export class KeepStore {
  constructor(private readonly db: () => Promise<Db> = getDb) {}

  private async col(): Promise<Collection<KeepDoc>> {
    return (await this.db()).collection<KeepDoc>(KEEP_COLLECTION);
  }

  /** Keeps an item (or changes its note and expiry); `created` tells a new keep from a changed one. */
  async put(ref: KeepRef, item: KeptItem, choice: KeepChoice, now: Date): Promise<{ doc: KeepDoc; created: boolean }> {
    const _id = keepId(ref, item.itemId);
    const col = await this.col();
    const res = await col.updateOne(
      { _id },
      {
        $set: { ...item, ...choice, updatedAt: now },
        $setOnInsert: { ...ref, createdAt: now },
      },
      { upsert: true },
    );
    const doc = await col.findOne({ _id });
    if (!doc) throw new Error('keep vanished right after it was written');
    return { doc, created: res.upsertedCount === 1 };
  }

  /** false when there was no such keep. */
  async remove(ref: KeepRef, itemId: string): Promise<boolean> {
    return (await (await this.col()).deleteOne({ _id: keepId(ref, itemId) })).deletedCount === 1;
  }

  /** The user's keeps of one library (expired ones included; see isActive). */
  async ofLibrary(ref: KeepRef): Promise<KeepDoc[]> {
    const { userId, machineIdentifier, sectionId } = ref;
    return (await this.col()).find({ userId, machineIdentifier, sectionId }).toArray();
  }

  /** The user's keeps on one Plex server, every library. */
  async ofServer(userId: string, machineIdentifier: string): Promise<KeepDoc[]> {
    return (await this.col()).find({ userId, machineIdentifier }).toArray();
  }

  async count(userId: string, machineIdentifier: string): Promise<number> {
    return (await this.col()).countDocuments({ userId, machineIdentifier });
  }

  /** Every keep of a user (account deletion). */
  async removeAllOf(userId: string): Promise<void> {
    await (await this.col()).deleteMany({ userId });
  }
}
