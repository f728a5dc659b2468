import * as z from 'zod';

/**
 * Query parameters arrive as strings; these schemas parse them strictly and
 * are documented as what they mean (an integer with its bounds, a boolean), so
 * a generated client sends `limit: 50` and `refresh: true`, not strings.
 */

type JsonSchema = Record<string, unknown>;

/** What zod renders that still holds for the documented type. */
const KEPT = ['description', 'default'];

/** zod-openapi's `override`: the documented schema replaces what zod renders for the string input. */
const documentedAs =
  (documented: JsonSchema) =>
  ({ jsonSchema }: { jsonSchema: JsonSchema }): void => {
    const kept = Object.fromEntries(Object.entries(jsonSchema).filter(([key]) => KEPT.includes(key)));
    for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
    Object.assign(jsonSchema, kept, documented);
  };

/** Plain decimal digits only: rejects 1e9, 0x10, 1.5, -1, " 5", "" (Number() would accept several). */
const digits = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,10}$/, `${name} must be a whole number written with digits only`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`));

/** An optional whole number within bounds. */
export const wholeNumberParam = (name: string, min: number, max: number) =>
  digits(name, min, max)
    .optional()
    .meta({ override: documentedAs({ type: 'integer', minimum: min, maximum: max }) });

/** A whole number within bounds, `fallback` when absent. */
export const wholeNumberParamOr = (name: string, min: number, max: number, fallback: number) =>
  digits(name, min, max)
    .default(fallback)
    .meta({ override: documentedAs({ type: 'integer', minimum: min, maximum: max, default: fallback }) });

const TRUE_WORDS = new Set(['true', '1']);

/** A boolean spelled `true`/`false` (and whatever else `accepted` lists); absent = `fallback`. */
export const booleanParam = (
  accepted: readonly [string, ...string[]] = ['true', 'false'],
  fallback = false,
  message?: string,
) =>
  z
    .enum(accepted, message)
    .optional()
    .transform((v) => (v === undefined ? fallback : TRUE_WORDS.has(v)))
    .meta({ override: documentedAs({ type: 'boolean', default: fallback }) });

/** A boolean spelled `true`/`false`, left out of the parsed query when absent. */
export const optionalBooleanParam = (description: string) =>
  z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .meta({ description, override: documentedAs({ type: 'boolean' }) });
