/**
 * GET /api/libraries: every section the user's credentials read, with the
 * item count and size of its snapshot (or one cheap count before any build).
 */
import { isUpstreamError } from '../upstream';
import { iso } from './cache/loaded-snapshot';
import { UNIT_LISTING } from './build/build-snapshot';
import { isPlexUnreachable, lifetimeOf, type CacheState } from './snapshot-policy';
import type { SnapshotStore } from './store/snapshot-store';
import { JUDGED_TYPES, type JudgedSectionType, type Library } from './types';
import type { UserContext } from './user-context';

export type LibraryListing = Omit<Library, 'itemCount'> & { itemCount: number | null };

export const listLibraries = async (
  deps: { store: Pick<SnapshotStore, 'listHeads'>; now: () => number },
  ctx: UserContext,
  signal?: AbortSignal,
): Promise<{ libraries: LibraryListing[]; cache: CacheState }> => {
  const { access } = ctx;
  const heads = new Map(
    (await deps.store.listHeads({ machineIdentifier: access.machineIdentifier, scope: ctx.scope })).map((h) => [
      h.sectionId,
      h,
    ]),
  );
  const excluded = new Set(ctx.settings.excludedLibraryIds);
  const now = deps.now();
  const sections = access.sections.filter((s) => !excluded.has(s.id));
  const libraries = await Promise.all(
    sections.map(async (s): Promise<LibraryListing> => {
      const head = heads.get(s.id);
      let itemCount: number | null = head?.itemCount ?? null;
      if (itemCount === null && !access.plexDown) {
        // No snapshot yet: one cheap count (a 0-item page) so the list is useful before any refresh.
        const listing = JUDGED_TYPES.has(s.type) ? UNIT_LISTING[s.type as JudgedSectionType] : undefined;
        itemCount = await ctx.plex.getSectionSize(s.id, listing, signal).catch((e: unknown) => {
          if (isUpstreamError(e) && e.kind === 'not_found') return 0;
          if (isPlexUnreachable(e)) return null; // the list is still useful without this count
          throw e;
        });
      }
      const stale = head ? now - head.fetchedAt >= lifetimeOf(head.sources, ctx.ttlMs) || !!access.plexDown : false;
      return {
        id: s.id,
        title: s.title,
        type: s.type,
        itemCount,
        sizeBytes: head ? head.totalSizeBytes : null,
        updatedAt: s.updatedAt === null ? null : iso(s.updatedAt),
        scannedAt: s.scannedAt === null ? null : iso(s.scannedAt),
        cache: { fetchedAt: head ? new Date(head.fetchedAt).toISOString() : null, stale },
      };
    }),
  );
  return { libraries, cache: access.plexDown ? 'stale' : 'hit' };
};
