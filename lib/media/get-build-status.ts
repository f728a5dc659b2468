/**
 * GET /api/library/{id}/refresh, minus the Middy plumbing: where the library's
 * build stands (build-status.ts), with Retry-After while it runs.
 */
import { ok } from '../http/response';
import type { ApiResult } from '../http/types';
import { retryAfterOf } from './build-status';
import type { LibraryPath } from './query';
import type { LibraryService } from './service';

export type BuildStatusDeps = Pick<LibraryService, 'userContext' | 'section' | 'buildStatus'>;

export const buildStatusResponse = async (
  service: BuildStatusDeps,
  input: { userId: string; path: LibraryPath; signal?: AbortSignal },
): Promise<ApiResult> => {
  const base = await service.userContext(input.userId, { signal: input.signal });
  const { ctx, section } = await service.section(base, input.path.id, input.signal);
  const status = await service.buildStatus(ctx, section);
  return ok(status, status.state === 'building' ? { 'Retry-After': retryAfterOf(status) } : {});
};
