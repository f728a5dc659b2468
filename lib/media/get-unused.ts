/**
 * GET /api/library/{id}/unused, minus the Middy plumbing: picks the snapshot,
 * applies the threshold, sorts and pages, and renders JSON or CSV with the
 * headers that explain the answer.
 */
import type { ApiResult } from '../http/types';
import type { LoadedSnapshot } from './cache/loaded-snapshot';
import { toCsv, type CsvCell } from './csv';
import type { LibraryService } from './service';
import type { SnapshotAnswer } from './snapshot-policy';
import type { UserContext } from './user-context';
import { plexNotOwner } from './media-errors';
import { DEFAULT_ORDER, type LibraryPath, type UnusedQuery } from './query';
import { text } from '../http/response';
import { cutoffOf } from './rules/activity';
import type { SnapshotSources } from './types';

/** `snapshotAt` (when the data was read from Plex) travels with every row: a saved file has no headers. */
export const CSV_COLUMNS = [
  'id',
  'title',
  'year',
  'type',
  'addedAt',
  'lastAddedAt',
  'lastPlayedAt',
  'playCount',
  'sizeBytes',
  'unusedDays',
  'reason',
  'snapshotAt',
] as const;

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

/** What answering needs of the media service. */
export type UnusedDeps = Pick<LibraryService, 'userContext' | 'section' | 'limitUpstream' | 'snapshotFor' | 'now'>;

export const unusedResponse = async (
  service: UnusedDeps,
  input: { userId: string; path: LibraryPath; query: UnusedQuery; signal?: AbortSignal },
): Promise<ApiResult> => {
  const { query } = input;
  const base = await service.userContext(input.userId, { signal: input.signal });
  const { ctx, section } = await service.section(base, input.path.id, input.signal);
  if (query.refresh) await service.limitUpstream(input.userId);
  const answer = await service.snapshotFor(ctx, section, { refresh: query.refresh });
  const { snapshot } = answer;
  // Fail closed: Plex history of a non-owner token shows only its own plays; only Tautulli sees everyone's.
  if (snapshot.meta.sources.plexHistory === 'own-only' && snapshot.meta.sources.tautulli !== 'ok') throw plexNotOwner();
  const nowMs = service.now();
  const threshold = query.threshold ?? ctx.settings.defaultThresholdDays;
  const selection = snapshot.select({
    cutoff: cutoffOf(nowMs, threshold),
    sort: query.sort,
    order: query.order ?? DEFAULT_ORDER[query.sort],
    offset: query.offset,
    limit: query.limit,
  });
  const headers: Record<string, string> = {
    'X-Total-Count': String(selection.total),
    'X-Total-Size-Bytes': String(selection.totalSizeBytes),
    'X-Data-Sources': dataSourcesHeader(snapshot.meta.sources, plexFailed(answer, ctx, query) ? 'unavailable' : 'ok'),
    'X-Threshold-Days': String(threshold),
    ...cacheHeaders(answer),
    'X-Snapshot-At': new Date(snapshot.meta.fetchedAt).toISOString(),
  };
  if (query.format === 'csv') {
    headers['Content-Disposition'] = `attachment; filename="library-${section.id}-unused-${threshold}d.csv"`;
    return text(200, csvOf(snapshot, selection.indices, nowMs), 'text/csv; charset=utf-8; header=present', headers);
  }
  return text(200, snapshot.jsonArray(selection.indices, nowMs), 'application/json; charset=utf-8', headers);
};

/**
 * A stale answer means Plex failed when plm is known to be cut off from it
 * (the access proof says so), or when a refresh was asked for: a forced
 * refresh only ever falls back to the stored snapshot when it failed.
 */
const plexFailed = (answer: SnapshotAnswer, ctx: UserContext, query: UnusedQuery): boolean =>
  answer.cache === 'stale' && (ctx.access.plexDown !== undefined || query.refresh === true);

/** The selected items as CSV, each row carrying the snapshot's time. */
const csvOf = (snapshot: LoadedSnapshot, indices: readonly number[], nowMs: number): string => {
  const snapshotAt = new Date(snapshot.meta.fetchedAt).toISOString();
  const rows = indices.map((i): CsvCell[] => {
    const m = snapshot.mediaItem(i, nowMs);
    return [
      m.id,
      m.title,
      m.year,
      m.type,
      m.addedAt,
      m.lastAddedAt,
      m.lastPlayedAt,
      m.playCount,
      m.sizeBytes,
      m.unusedDays,
      m.reason,
      snapshotAt,
    ];
  });
  return toCsv(CSV_COLUMNS, rows);
};
