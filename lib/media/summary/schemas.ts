import * as z from 'zod';
import { MAX_THRESHOLD_DAYS } from '../query';
import { WatchScopeParam } from '../scope/watch-scope';

export const DEFAULT_SUMMARY_THRESHOLDS: readonly number[] = [30, 90, 180, 365];
export const MAX_SUMMARY_THRESHOLDS = 10;

/** "30,90,180": whole days, digits only (like `threshold`), each 1–3650, answered in ascending order once each. */
const Thresholds = z
  .string()
  .regex(
    new RegExp(`^[0-9]{1,4}(,[0-9]{1,4}){0,${MAX_SUMMARY_THRESHOLDS - 1}}$`),
    `thresholds must be 1 to ${MAX_SUMMARY_THRESHOLDS} whole numbers of days, comma-separated, such as 30,90,180,365`,
  )
  .transform((s) => [...new Set(s.split(',').map(Number))].sort((a, b) => a - b))
  .pipe(
    z.array(
      z
        .number()
        .int()
        .min(1, 'each threshold must be at least 1')
        .max(MAX_THRESHOLD_DAYS, `each threshold must be at most ${MAX_THRESHOLD_DAYS}`),
    ),
  );

export const SummaryQuery = z
  .object({
    thresholds: Thresholds.optional().describe('days; default 30,90,180,365'),
    scope: WatchScopeParam.optional(),
  })
  .strict();
export type SummaryQuery = z.output<typeof SummaryQuery>;
