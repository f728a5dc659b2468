import * as z from 'zod';

/**
 * zod building blocks for upstream bodies. Objects are zod's default (unknown
 * keys stripped, never rejected) so new upstream fields do not break us; the
 * fields we read are strict. Numbers may arrive as numeric strings (Tautulli
 * copies Plex XML attributes; Plex JSON has been seen with "childCount": "1").
 */
const NUMERIC = /^-?\d+(\.\d+)?$/;

export const num = z.union([
  z.number().finite(),
  z.string().trim().regex(NUMERIC, 'expected a number').transform(Number),
]);

/** "" or null → null (Tautulli's way to say "no value"). */
export const numOrNull = z.union([num, z.literal('').transform(() => null), z.null()]);

/** Text that may arrive as a number (a title such as 1917 from XML-derived JSON). */
export const text = z.union([z.string(), z.number().transform(String)]);

/** Ids are strings everywhere in plm, whatever the upstream sends. */
export const id = z.union([z.string().trim().min(1), z.number().int().transform(String)]);

/** Absent → null (plm's domain types say "no value" with null, never undefined). */
export const orNull = <T extends z.ZodTypeAny>(schema: T) =>
  schema.optional().transform((v): z.output<T> | null => v ?? null);

/** A compact, value-free description of what did not match (safe to show). */
export const describeIssues = (error: z.ZodError, max = 3): string =>
  error.issues
    .slice(0, max)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
