/**
 * GET /api/library/{id}/unused, minus the Middy plumbing: picks the snapshot,
 * resolves the watch scope, leaves out (or flags) the user's kept items,
 * applies the threshold, sorts and pages, and renders JSON or CSV with the
 * headers that explain the answer.
 */
import type { ApiResult } from '../http/types';
import { json, text } from '../http/response';
import { keptIndices } from './keep/item-index';
import { LibraryBuilding } from './media-errors';
import type { KeepDeps } from './keep/keep-item';
import { DEFAULT_ORDER, type LibraryPath, type UnusedQuery } from './query';
import { type RenderInput, unusedCsv, unusedJson } from './render-unused';
import { cutoffOf } from './rules/activity';
import { judgedOrder } from './scope/judged-order';
import { scopedLibrarySnapshot } from './scope/resolve-scope';
import { selectUnused } from './select-unused';
import type { SnapshotAnswer } from './snapshot-policy';
import type { SnapshotSources } from './types';
import type { UserContext } from './user-context';

/**
 * "plex=ok, plex-history=ok, tautulli=unavailable" — which sources the answer
 * rests on. `plexNow` says Plex failed just now (the answer is the last good
 * snapshot, served stale): then the header says plex=unavailable.
 */
export const dataSourcesHeader = (s: SnapshotSources, plexNow: 'ok' | 'unavailable' = s.plex): string =>
  `plex=${plexNow}, plex-history=${s.plexHistory}, tautulli=${s.tautulli}`;

export const cacheHeaders = (a: Pick<SnapshotAnswer, 'cache' | 'ageMs'>): Record<string, string> => ({
  'X-Cache': a.cache,
  'X-Cache-Age-Seconds': String(Math.floor(a.ageMs / 1000)),
});

/**
 * A stale answer means Plex failed when plm is known to be cut off from it
 * (the access proof says so), or when a refresh was asked for: a forced
 * refresh only ever falls back to the stored snapshot when it failed.
 */
export const plexFailed = (answer: SnapshotAnswer, ctx: Pick<UserContext, 'access'>, refresh: boolean): boolean =>
  answer.cache === 'stale' && (ctx.access.plexDown !== undefined || refresh);

/** Headers every answer from a snapshot carries. */
export const snapshotHeaders = (
  answer: SnapshotAnswer,
  opts: { plexFailed?: boolean } = {},
): Record<string, string> => ({
  'X-Data-Sources': dataSourcesHeader(answer.snapshot.meta.sources, opts.plexFailed ? 'unavailable' : 'ok'),
  ...cacheHeaders(answer),
  'X-Snapshot-At': new Date(answer.snapshot.meta.fetchedAt).toISOString(),
});

/** What answering needs of the media service. */
export type UnusedDeps = KeepDeps;

export const unusedResponse = async (
  service: UnusedDeps,
  input: { userId: string; path: LibraryPath; query: UnusedQuery; signal?: AbortSignal },
): Promise<ApiResult> => {
  const { query, userId } = input;
  const lib = await scopedLibrarySnapshot(service, {
    userId,
    libraryId: input.path.id,
    refresh: query.refresh,
    signal: input.signal,
    scope: query.scope ?? { kind: 'anyone' },
  }).catch((e: unknown) => {
    if (e instanceof LibraryBuilding) return e;
    throw e;
  });
  // Still building past the request's budget: 202, the build's status, and where to follow it.
  if (lib instanceof LibraryBuilding) return json(202, lib.status, lib.headers);
  const { ctx, section, answer, scope } = lib;
  const { snapshot } = answer;
  const nowMs = service.now();
  const threshold = query.threshold ?? ctx.settings.defaultThresholdDays;
  const keeps = await service.keeps.ofLibrary({
    userId,
    machineIdentifier: ctx.access.machineIdentifier,
    sectionId: section.id,
  });
  const kept = keptIndices(snapshot, keeps, nowMs);
  const includeKept = query.includeKept ?? false;
  const selection = selectUnused(
    { snapshot, judged: judgedOrder(snapshot, scope), kept },
    {
      cutoff: cutoffOf(nowMs, threshold),
      sort: query.sort,
      order: query.order ?? DEFAULT_ORDER[query.sort],
      offset: query.offset,
      limit: query.limit,
      includeKept,
    },
  );
  const headers: Record<string, string> = {
    'X-Total-Count': String(selection.total),
    'X-Total-Size-Bytes': String(selection.totalSizeBytes),
    'X-Kept-Count': String(selection.keptCount),
    'X-Threshold-Days': String(threshold),
    ...snapshotHeaders(answer, { plexFailed: plexFailed(answer, ctx, query.refresh) }),
  };
  const render: RenderInput = { snapshot, scope, flags: includeKept ? kept : null, nowMs };
  if (query.format === 'csv') {
    headers['Content-Disposition'] = `attachment; filename="library-${section.id}-unused-${threshold}d.csv"`;
    return text(200, unusedCsv(render, selection.indices), 'text/csv; charset=utf-8; header=present', headers);
  }
  return text(200, unusedJson(render, selection.indices), 'application/json; charset=utf-8', headers);
};
