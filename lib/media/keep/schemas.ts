import * as z from 'zod';
import { LibraryPath } from '../query';

/** Request schemas of the keep list (strict, like every media schema). */

export const KEEP_NOTE_MAX = 500;

/** Plex ratingKeys are decimal integers. */
export const KeepPath = LibraryPath.extend({
  itemId: z.string().regex(/^[0-9]{1,12}$/, 'itemId must be a Plex ratingKey (digits), as `id` in unused answers'),
});
export type KeepPath = z.output<typeof KeepPath>;

export const KeepBody = z
  .object({
    note: z
      .string()
      .max(KEEP_NOTE_MAX, `note must be at most ${KEEP_NOTE_MAX} characters`)
      .refine((v) => !/\p{Cc}/u.test(v.replace(/[\t\n\r]/g, '')), 'note must not hold control characters')
      .nullable()
      .optional()
      .describe('why it is kept (shown with includeKept and in GET /api/keep)'),
    expiresAt: z.iso
      .datetime({ offset: true, message: 'expiresAt must be an ISO-8601 date-time such as 2026-12-31T00:00:00Z' })
      .nullable()
      .optional()
      .describe('when the keep ends (must be in the future); absent or null: never'),
  })
  .strict();
export type KeepBody = z.output<typeof KeepBody>;
