/**
 * Library snapshots in MongoDB: chunk documents + one small head per library.
 *
 * Write: new chunks under a fresh version (bulkWrite, a few chunks per call),
 * then the head is flipped with a compare-and-set on the previous version, then
 * the old version's chunks are deleted. Readers only follow the head, so they
 * see the old snapshot or the new one, never a mix — without transactions,
 * unique secondary indexes or TTL, none of which the embedded store has.
 * Every document is addressed by a derived `_id`, the one index every
 * MongoDB-wire server has, so no read depends on a secondary index.
 */
import { randomBytes } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db, ObjectId } from 'mongodb';
import { getDb } from '../../db/client';
import { isDuplicateKeyError } from '../../db/errors';
import { derivedId } from '../../db/ids';
import { MediaCollections } from './collections';
import { decodeItems, encodeItems } from './snapshot-codec';
import { UNIT_TYPE } from '../rules/inputs';
import type { JudgedSectionType, SnapshotItem, SnapshotMeta, SnapshotSources } from '../types';

/** Which snapshot: a library of a server, as seen through one set of credentials (see access.ts). */
export interface LibraryRef {
  machineIdentifier: string;
  sectionId: string;
  /** sourcesKey of the credentials that built it. */
  scope: string;
}

export interface HeadDoc extends SnapshotMeta {
  _id: ObjectId;
  chunkCount: number;
  chunkSize: number;
  updatedAt: Date;
}

export interface ChunkDoc {
  _id: ObjectId;
  machineIdentifier: string;
  sectionId: string;
  scope: string;
  version: string;
  index: number;
  count: number;
  createdAt: Date;
  items: string;
}

/** Chosen with bench/refresh.ts (--chunk): big enough for few round trips, far below the 16 MB document cap. */
export const DEFAULT_CHUNK_ITEMS = 5_000;
/** Chunks per bulkWrite: keeps each wire message a few MB. */
const CHUNKS_PER_WRITE = 4;

export const refKey = (r: LibraryRef): string => `${r.machineIdentifier}\n${r.sectionId}\n${r.scope}`;
export const headId = (r: LibraryRef): ObjectId => derivedId('media-head', refKey(r));
const chunkId = (r: LibraryRef, version: string, index: number): ObjectId =>
  derivedId('media-chunk', `${refKey(r)}\n${version}\n${index}`);
type VersionRef = LibraryRef & Pick<HeadDoc, 'version' | 'chunkCount'>;
const chunkIdsOf = (h: VersionRef): ObjectId[] =>
  Array.from({ length: h.chunkCount }, (_, i) => chunkId(h, h.version, i));

/** A reader raced a writer (the version it followed was replaced); read the head again. */
/** The snapshot's meta as the API and the cache see it (a head minus its storage fields). */
export const metaOf = (h: HeadDoc): SnapshotMeta => ({
  machineIdentifier: h.machineIdentifier,
  sectionId: h.sectionId,
  scope: h.scope,
  sectionType: h.sectionType,
  sectionTitle: h.sectionTitle,
  version: h.version,
  fetchedAt: h.fetchedAt,
  itemCount: h.itemCount,
  totalSizeBytes: h.totalSizeBytes,
  sources: h.sources,
  buildMs: h.buildMs,
  encodedBytes: h.encodedBytes,
});

export class SnapshotVersionGone extends Error {
  constructor() {
    super('snapshot version was replaced while reading');
    this.name = 'SnapshotVersionGone';
  }
}

export interface WriteInput extends LibraryRef {
  sectionType: JudgedSectionType;
  sectionTitle: string;
  fetchedAt: number;
  sources: SnapshotSources;
  buildMs: number;
}

export class SnapshotStore {
  constructor(
    private readonly db: () => Promise<Db> = getDb,
    private readonly chunkItems = DEFAULT_CHUNK_ITEMS,
  ) {}

  private async heads(): Promise<Collection<HeadDoc>> {
    return (await this.db()).collection<HeadDoc>(MediaCollections.heads);
  }

  private async chunks(): Promise<Collection<ChunkDoc>> {
    return (await this.db()).collection<ChunkDoc>(MediaCollections.chunks);
  }

  async readHead(ref: LibraryRef): Promise<HeadDoc | null> {
    return (await this.heads()).findOne({ _id: headId(ref) });
  }

  /** Heads of one server as seen through one scope (the libraries endpoint), or all (clean-up). */
  async listHeads(filter: { machineIdentifier: string; scope: string } | null = null): Promise<HeadDoc[]> {
    return (await this.heads()).find(filter ?? {}).toArray();
  }

  /** The items of the version `head` names, in stored (activity) order. */
  async readItems(head: HeadDoc): Promise<SnapshotItem[]> {
    const docs = await (await this.chunks()).find({ _id: { $in: chunkIdsOf(head) } }).toArray();
    if (docs.length !== head.chunkCount) throw new SnapshotVersionGone();
    docs.sort((a, b) => a.index - b.index);
    const type = UNIT_TYPE[head.sectionType];
    const items: SnapshotItem[] = [];
    for (const doc of docs) for (const item of decodeItems(doc.items, type)) items.push(item);
    if (items.length !== head.itemCount) throw new SnapshotVersionGone();
    return items;
  }

  /**
   * Stores `items` (sorted by activity) as the library's current snapshot.
   * Returns the head that is current afterwards: ours (`written`), or a
   * concurrent writer's newer one (then our chunks are removed).
   */
  async write(input: WriteInput, items: readonly SnapshotItem[]): Promise<{ head: HeadDoc; written: boolean }> {
    const version = `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const { machineIdentifier, sectionId, scope } = input;
    const ref: LibraryRef = { machineIdentifier, sectionId, scope };
    const { encodedBytes, chunkCount } = await this.writeChunks(ref, version, items);
    let totalSizeBytes = 0;
    for (const item of items) totalSizeBytes += item.sizeBytes;
    const head: HeadDoc = {
      _id: headId(ref),
      ...input,
      version,
      itemCount: items.length,
      totalSizeBytes,
      encodedBytes,
      chunkCount,
      chunkSize: this.chunkItems,
      updatedAt: new Date(),
    };
    const headsCol = await this.heads();
    const previous = await headsCol.findOne({ _id: head._id });
    if (!(await this.flipHead(previous, head))) {
      // Someone else's snapshot is current (newer or first): keep theirs, drop ours.
      await (await this.chunks()).deleteMany({ _id: { $in: chunkIdsOf({ ...ref, version, chunkCount }) } });
      const current = await headsCol.findOne({ _id: head._id });
      return current ? { head: current, written: false } : { head, written: false };
    }
    if (previous) await this.deleteVersion(previous);
    return { head, written: true };
  }

  /** The items as chunks of `chunkItems` under `version`, a few chunks per bulkWrite. */
  private async writeChunks(
    ref: LibraryRef,
    version: string,
    items: readonly SnapshotItem[],
  ): Promise<{ encodedBytes: number; chunkCount: number }> {
    const chunksCol = await this.chunks();
    const createdAt = new Date();
    const chunkCount = Math.ceil(items.length / this.chunkItems);
    let encodedBytes = 0;
    for (let c = 0; c < chunkCount; c += CHUNKS_PER_WRITE) {
      const ops: Array<AnyBulkWriteOperation<ChunkDoc>> = [];
      for (let index = c; index < Math.min(chunkCount, c + CHUNKS_PER_WRITE); index++) {
        const slice = items.slice(index * this.chunkItems, (index + 1) * this.chunkItems);
        const encoded = encodeItems(slice);
        encodedBytes += encoded.length;
        const doc: ChunkDoc = {
          _id: chunkId(ref, version, index),
          ...ref,
          version,
          index,
          count: slice.length,
          createdAt,
          items: encoded,
        };
        ops.push({ insertOne: { document: doc } });
      }
      await chunksCol.bulkWrite(ops, { ordered: false });
    }
    return { encodedBytes, chunkCount };
  }

  /** Makes `head` current unless a newer snapshot (or a concurrent first one) already is. */
  private async flipHead(previous: HeadDoc | null, head: HeadDoc): Promise<boolean> {
    const headsCol = await this.heads();
    if (!previous) {
      return headsCol.insertOne(head).then(
        () => true,
        (e: unknown) => {
          if (isDuplicateKeyError(e)) return false;
          throw e;
        },
      );
    }
    if (previous.fetchedAt > head.fetchedAt) return false;
    const { _id, ...rest } = head;
    return (await headsCol.updateOne({ _id, version: previous.version }, { $set: rest })).modifiedCount === 1;
  }

  /** Removes a replaced version's chunks (readers still on it retry via SnapshotVersionGone). */
  async deleteVersion(h: VersionRef): Promise<void> {
    if (h.chunkCount > 0) await (await this.chunks()).deleteMany({ _id: { $in: chunkIdsOf(h) } });
  }

  /**
   * Deletes chunks no head points at and older than `olderThanMs` (left by a
   * writer that died between writing chunks and flipping the head).
   */
  async deleteOrphans(olderThanMs = 60 * 60 * 1000): Promise<number> {
    const heads = await this.listHeads();
    const live = new Set(heads.map((h) => `${refKey(h)}\n${h.version}`));
    const before = new Date(Date.now() - olderThanMs);
    const col = await this.chunks();
    const stale = await col
      .find(
        { createdAt: { $lt: before } },
        { projection: { _id: 1, machineIdentifier: 1, sectionId: 1, scope: 1, version: 1 } },
      )
      .toArray();
    const orphanIds = stale.filter((c) => !live.has(`${refKey(c)}\n${c.version}`)).map((c) => c._id);
    if (!orphanIds.length) return 0;
    return (await col.deleteMany({ _id: { $in: orphanIds } })).deletedCount;
  }
}
