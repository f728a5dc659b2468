/**
 * The first steps of every per-library answer (unused, summary, keep, accounts):
 * who asks, which library, and the snapshot that answers under the cache policy.
 */
import type { SectionInfo } from './access';
import { plexNotOwner } from './media-errors';
import type { LibraryService } from './service';
import type { SnapshotAnswer } from './snapshot-policy';
import type { UserContext } from './user-context';

/** What reading a library's snapshot needs of the media service. */
export type SnapshotDeps = Pick<LibraryService, 'userContext' | 'section' | 'limitUpstream' | 'snapshotFor' | 'now'>;

export interface LibrarySnapshot {
  ctx: UserContext;
  section: SectionInfo;
  answer: SnapshotAnswer;
}

export const librarySnapshot = async (
  service: SnapshotDeps,
  input: { userId: string; libraryId: string; refresh?: boolean; signal?: AbortSignal; ctx?: UserContext },
): Promise<LibrarySnapshot> => {
  const base = input.ctx ?? (await service.userContext(input.userId, { signal: input.signal }));
  const { ctx, section } = await service.section(base, input.libraryId, input.signal);
  if (input.refresh) await service.limitUpstream(input.userId);
  const answer = await service.snapshotFor(ctx, section, {
    refresh: input.refresh,
    userId: input.userId,
    signal: input.signal,
  });
  // Fail closed: Plex history of a non-owner token shows only its own plays; only Tautulli sees everyone's.
  const { sources } = answer.snapshot.meta;
  if (sources.plexHistory === 'own-only' && sources.tautulli !== 'ok') throw plexNotOwner();
  return { ctx, section, answer };
};
