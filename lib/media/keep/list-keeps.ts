/**
 * GET /api/keep: the user's keeps on their Plex server, each checked against
 * its library's snapshot. A kept item Plex no longer lists stays on the list
 * as `missing` (with the title it had), rather than silently vanishing; when
 * the library cannot be read just now the status is `unknown`.
 */
import { APIError } from '../../errors';
import { logger } from '../../logger';
import type { LoadedSnapshot } from '../cache/loaded-snapshot';
import { librarySnapshot } from '../library-snapshot';
import type { SnapshotItem } from '../types';
import { itemIndex } from './item-index';
import { type KeepDeps, keepView, type KeepView } from './keep-item';
import { isActive, keepsBySection, type KeepDoc } from './keep-store';

export type KeepStatus = 'present' | 'missing' | 'unknown';

export interface KeepListing extends KeepView {
  libraryTitle: string | null;
  /** The keep's expiry has passed: the item is judged like any other again. */
  expired: boolean;
  status: KeepStatus;
}

/** A library's snapshot, or null when it cannot be had now (Plex down, library gone, not judged…). */
const snapshotOrNull = async (
  service: KeepDeps,
  input: Parameters<typeof librarySnapshot>[1],
): Promise<LoadedSnapshot | null> => {
  try {
    return (await librarySnapshot(service, input)).answer.snapshot;
  } catch (e) {
    if (!(e instanceof APIError)) throw e; // upstream failures are APIErrors too
    logger.info('keep list: library not readable now', { sectionId: input.libraryId, code: e.code });
    return null;
  }
};

const listing = (doc: KeepDoc, snapshot: LoadedSnapshot | null, gone: boolean, nowMs: number): KeepListing => {
  const i = snapshot ? itemIndex(snapshot, doc.itemId) : undefined;
  const item = i === undefined ? undefined : (snapshot?.items[i] as SnapshotItem);
  const status: KeepStatus = item ? 'present' : snapshot || gone ? 'missing' : 'unknown';
  return {
    ...keepView(doc),
    // Plex's current title and size when it still lists the item.
    ...(item ? { title: item.title, sizeBytes: item.sizeBytes } : {}),
    libraryTitle: snapshot?.meta.sectionTitle ?? null,
    expired: !isActive(doc, nowMs),
    status,
  };
};

export const listKeeps = async (
  service: KeepDeps,
  input: { userId: string; signal?: AbortSignal },
): Promise<KeepListing[]> => {
  const { userId, signal } = input;
  const ctx = await service.userContext(userId, { signal });
  const docs = await service.keeps.ofServer(userId, ctx.access.machineIdentifier);
  const bySection = keepsBySection(docs);
  const nowMs = service.now();
  const out: KeepListing[] = [];
  for (const [sectionId, keeps] of bySection) {
    // A library the server no longer has: its items are gone with it.
    const gone = !ctx.access.plexDown && !ctx.access.sections.some((s) => s.id === sectionId);
    const snapshot = gone ? null : await snapshotOrNull(service, { userId, libraryId: sectionId, signal, ctx });
    for (const doc of keeps) out.push(listing(doc, snapshot, gone, nowMs));
  }
  return out.sort(
    (a, b) =>
      a.libraryId.localeCompare(b.libraryId, 'en', { numeric: true }) ||
      a.title.localeCompare(b.title, 'en') ||
      a.itemId.localeCompare(b.itemId, 'en', { numeric: true }),
  );
};
