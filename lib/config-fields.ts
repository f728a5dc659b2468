import { z } from 'zod';
import { baseUrlProblem, normalizeBaseUrl } from './upstream/base-url';

/** The kinds of value lib/config.ts's environment schema is made of. */
export const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

export const intFrom = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

/** The server's own upstream URLs: same rules and normal form as users' (loopback allowed). */
export const httpUrl = optionalString.pipe(
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = baseUrlProblem(value, { allowLoopback: true });
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform(normalizeBaseUrl)
    .optional(),
);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
export const durationSeconds = (v: string): number => {
  const [, count, unit] = /^(\d+) ?([smhdw])$/i.exec(v) ?? [];
  return count && unit ? Number(count) * (UNIT_SECONDS[unit.toLowerCase()] ?? 0) : 0;
};

/** "true" or unset, as serverless sets its marker variables. */
export const flag = z
  .string()
  .optional()
  .transform((v) => v === 'true');

/** The one error of a configuration that cannot be used (it names the variable, never its value). */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** `k2:<key>` carries its own id, so a key and its id change in one write (one SSM parameter). */
export const KEY_WITH_ID = /^([A-Za-z0-9_-]{1,32}):(.+)$/s;
