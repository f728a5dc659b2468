import { z } from 'zod';
import { WatchScopeParam } from './scope/watch-scope';

/**
 * Request schemas of the media endpoints. Strict on purpose: a typo such as
 * `treshold=30` must be a 400, not a silent fallback to the 90-day default
 * that lists (and maybe gets deleted) the wrong things.
 */

/** Plain decimal digits only: rejects 1e9, 0x10, 1.5, -1, " 5", "" (Number() would accept several). */
const digits = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, `${name} must be a whole number written with digits only`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

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

const bool = z
  .enum(['true', 'false'])
  .default('false')
  .transform((v) => v === 'true');

export const UnusedQuery = z
  .object({
    threshold: digits('threshold', 1, MAX_THRESHOLD_DAYS).optional(),
    sort: z.enum(SORT_KEYS).default('lastActivity'),
    order: z.enum(['asc', 'desc']).optional(),
    limit: digits('limit', 1, MAX_LIMIT).optional(),
    offset: digits('offset', 0, 100_000_000).default(0),
    format: z.enum(['json', 'csv']).default('json'),
    refresh: bool,
    // Both absent unless sent, so the parsed query of a plain request is what it always was.
    scope: WatchScopeParam.optional(),
    includeKept: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .describe('also list the items you keep, flagged kept: true (they stay out of the totals)'),
  })
  .strict();
export type UnusedQuery = z.output<typeof UnusedQuery>;

export const LibrariesQuery = z.object({ refresh: bool }).strict();
export type LibrariesQuery = z.output<typeof LibrariesQuery>;

/** Plex section keys are small decimal integers. */
export const LibraryPath = z.object({
  id: z.string().regex(/^[0-9]{1,9}$/, 'id must be a Plex library section key (digits)'),
});
export type LibraryPath = z.output<typeof LibraryPath>;
