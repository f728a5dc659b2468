import * as z from 'zod';
import { booleanParam, optionalBooleanParam, wholeNumberParam, wholeNumberParamOr } from '../api/params';
import { WatchScopeParam } from './scope/watch-scope';

/**
 * Request schemas of the media endpoints. Strict on purpose: a typo such as
 * `treshold=30` must be a 400, not a silent fallback to the 90-day default
 * that lists (and maybe gets deleted) the wrong things.
 */

export const SORT_KEYS = ['lastActivity', 'size', 'title', 'addedAt'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

/** The natural direction of each sort: stalest, biggest, A→Z, oldest first. */
export const DEFAULT_ORDER: Record<SortKey, SortOrder> = {
  lastActivity: 'asc',
  size: 'desc',
  title: 'asc',
  addedAt: 'asc',
};

export const MAX_THRESHOLD_DAYS = 3650;
export const MAX_LIMIT = 10_000;

export const UnusedQuery = z
  .object({
    threshold: wholeNumberParam('threshold', 1, MAX_THRESHOLD_DAYS),
    sort: z.enum(SORT_KEYS).default('lastActivity'),
    order: z.enum(['asc', 'desc']).optional(),
    limit: wholeNumberParam('limit', 1, MAX_LIMIT),
    offset: wholeNumberParamOr('offset', 0, 100_000_000, 0),
    format: z.enum(['json', 'csv']).default('json'),
    refresh: booleanParam(),
    // Both absent unless sent, so the parsed query of a plain request is what it always was.
    scope: WatchScopeParam.optional(),
    includeKept: optionalBooleanParam('also list the items you keep, flagged kept: true (they stay out of the totals)'),
  })
  .strict();
export type UnusedQuery = z.output<typeof UnusedQuery>;

export const LibrariesQuery = z.object({ refresh: booleanParam() }).strict();
export type LibrariesQuery = z.output<typeof LibrariesQuery>;

/** Plex section keys are small decimal integers. */
export const LibraryPath = z.object({
  id: z.string().regex(/^[0-9]{1,9}$/, 'id must be a Plex library section key (digits)'),
});
export type LibraryPath = z.output<typeof LibraryPath>;
