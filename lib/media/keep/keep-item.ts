/**
 * PUT and DELETE /api/library/{id}/keep/{itemId}. A keep names an item of the
 * library's current snapshot (an unknown id is a 404, never a silent success);
 * removing a keep needs no snapshot, so a keep of an item gone from Plex can
 * always be removed.
 */
import { APIError, notFound, validationError } from '../../errors';
import { iso } from '../cache/loaded-snapshot';
import { librarySnapshot, type SnapshotDeps } from '../library-snapshot';
import type { LibraryService } from '../service';
import type { MediaType, SnapshotItem } from '../types';
import { itemIndex } from './item-index';
import type { KeepDoc, KeepRef } from './keep-store';
import type { KeepBody, KeepPath } from './schemas';

/** Far more than anyone keeps by hand; bounds what every unused answer reads. */
export const MAX_KEEPS_PER_SERVER = 10_000;

export type KeepDeps = SnapshotDeps & Pick<LibraryService, 'keeps'>;

/** A keep as the API shows it. */
export interface KeepView {
  libraryId: string;
  itemId: string;
  title: string;
  type: MediaType;
  sizeBytes: number;
  note: string | null;
  expiresAt: string | null;
  keptAt: string;
  updatedAt: string;
}

export const keepView = (doc: KeepDoc): KeepView => ({
  libraryId: doc.sectionId,
  itemId: doc.itemId,
  title: doc.title,
  type: doc.type,
  sizeBytes: doc.sizeBytes,
  note: doc.note,
  expiresAt: doc.expiresAt ? doc.expiresAt.toISOString() : null,
  keptAt: doc.createdAt.toISOString(),
  updatedAt: doc.updatedAt.toISOString(),
});

const itemNotFound = (libraryId: string, itemId: string, snapshotAtMs: number): APIError =>
  notFound(
    `Library ${libraryId} has no item ${itemId} (as read from Plex at ${iso(snapshotAtMs / 1000)}; ` +
      'an item added since appears after the next refresh, or with refresh=true on unused)',
    'ITEM_NOT_FOUND',
  );

export const putKeep = async (
  service: KeepDeps,
  input: { userId: string; path: KeepPath; body: KeepBody; signal?: AbortSignal },
): Promise<{ created: boolean; keep: KeepView }> => {
  const { userId, path, body } = input;
  const { ctx, section, answer } = await librarySnapshot(service, { userId, libraryId: path.id, signal: input.signal });
  const { snapshot } = answer;
  const i = itemIndex(snapshot, path.itemId);
  if (i === undefined) throw itemNotFound(path.id, path.itemId, snapshot.meta.fetchedAt);
  const nowMs = service.now();
  const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
  if (expiresAt && expiresAt.getTime() <= nowMs)
    throw validationError([{ location: 'body', path: 'expiresAt', message: 'expiresAt must be in the future' }]);
  const ref: KeepRef = { userId, machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id };
  if ((await service.keeps.count(userId, ref.machineIdentifier)) >= MAX_KEEPS_PER_SERVER) {
    const mine = await service.keeps.ofLibrary(ref);
    if (!mine.some((k) => k.itemId === path.itemId))
      throw new APIError(`At most ${MAX_KEEPS_PER_SERVER} items can be kept per server`, 409, 'KEEP_LIMIT_REACHED');
  }
  const item = snapshot.items[i] as SnapshotItem;
  const { doc, created } = await service.keeps.put(
    ref,
    { itemId: item.id, title: item.title, type: item.type, sizeBytes: item.sizeBytes },
    { note: body.note ?? null, expiresAt },
    new Date(nowMs),
  );
  return { created, keep: keepView(doc) };
};

export const deleteKeep = async (
  service: Pick<LibraryService, 'userContext' | 'keeps'>,
  input: { userId: string; path: KeepPath; signal?: AbortSignal },
): Promise<void> => {
  const { userId, path } = input;
  const ctx = await service.userContext(userId, { signal: input.signal });
  const ref: KeepRef = { userId, machineIdentifier: ctx.access.machineIdentifier, sectionId: path.id };
  if (!(await service.keeps.remove(ref, path.itemId)))
    throw notFound(`Item ${path.itemId} of library ${path.id} is not on your keep list`, 'KEEP_NOT_FOUND');
};
