import * as z from 'zod';
import { getConfig } from '../config';
import { baseUrlProblem, normalizeBaseUrl } from '../upstream/base-url';

/**
 * The shape of a user's settings, declared once. `Settings` is the full,
 * effective shape (secrets as plaintext, in memory only); the PUT body, the
 * stored values and the GET view are all derived from it.
 */

export const URL_MAX = 2048;
export const SECRET_MAX = 512;
export const LIBRARY_IDS_MAX = 500;
export const THRESHOLD_DAYS = { min: 1, max: 3650, fallback: 90 } as const;
export const CACHE_TTL_MINUTES = { min: 1, max: 10080 } as const;
export const DEFAULT_TIMEZONE = 'UTC';

/**
 * Why `text` is not an acceptable upstream URL for a user, or undefined. On a
 * hosted plm (UPSTREAM_ALLOW_LAN not set) a user may not point plm at its
 * own host or at a private network; names are checked again when connecting.
 */
export const httpUrlProblem = (text: string): string | undefined => {
  const allowPrivate = getConfig().allowPrivateUpstreams;
  return baseUrlProblem(text, { allowLoopback: allowPrivate, allowPrivate });
};

export const HttpUrl = z
  .string()
  .max(URL_MAX, `must be at most ${URL_MAX} characters`)
  .superRefine((value, ctx) => {
    const problem = httpUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform(normalizeBaseUrl);

/** A masked value such as "****abcd" sent back as if it were the secret would silently replace it. */
const LOOKS_MASKED = /^[*•x]{3,}/i;

export const SecretValue = z
  .string()
  .min(1, 'must not be empty; send null to clear it')
  .max(SECRET_MAX, `must be at most ${SECRET_MAX} characters`)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
  .refine(
    (v) => !LOOKS_MASKED.test(v),
    'looks like a masked placeholder; omit the field (or send the object GET returned) to keep the stored value',
  );

/** IANA zone names, checked by the runtime's ICU and returned in canonical spelling. */
export const canonicalTimeZone = (zone: string): string | undefined => {
  if (!/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
};

export const TimeZone = z
  .string()
  .max(64, 'must be at most 64 characters')
  .transform((value, ctx) => {
    const zone = canonicalTimeZone(value);
    if (!zone) {
      ctx.addIssue({ code: 'custom', message: 'must be an IANA time zone such as Europe/Berlin or UTC' });
      return z.NEVER;
    }
    return zone;
  });

/** Plex section keys / Tautulli section ids: short numeric strings; duplicates dropped, order kept. */
export const LibraryIds = z
  .array(z.string().regex(/^\d{1,10}$/, 'must be a numeric library id such as "3"'))
  .max(LIBRARY_IDS_MAX, `at most ${LIBRARY_IDS_MAX} libraries`)
  .transform((ids) => [...new Set(ids)]);

export const Settings = z
  .object({
    plexUrl: HttpUrl,
    plexToken: SecretValue,
    tautulliUrl: HttpUrl,
    tautulliApiKey: SecretValue,
    defaultThresholdDays: z.number().int().min(THRESHOLD_DAYS.min).max(THRESHOLD_DAYS.max),
    cacheTtlMinutes: z.number().int().min(CACHE_TTL_MINUTES.min).max(CACHE_TTL_MINUTES.max),
    excludedLibraryIds: LibraryIds,
    timezone: TimeZone,
  })
  .strict();
export type Settings = z.output<typeof Settings>;
export type SettingsField = keyof Settings;

export const SECRET_FIELDS = ['plexToken', 'tautulliApiKey'] as const satisfies readonly SettingsField[];
export type SecretField = (typeof SECRET_FIELDS)[number];
export const PLAIN_FIELDS = [
  'plexUrl',
  'tautulliUrl',
  'defaultThresholdDays',
  'cacheTtlMinutes',
  'excludedLibraryIds',
  'timezone',
] as const satisfies readonly Exclude<SettingsField, SecretField>[];
export type PlainField = (typeof PLAIN_FIELDS)[number];
export const SETTINGS_FIELDS: readonly SettingsField[] = Object.keys(Settings.shape) as SettingsField[];
export type PlainValues = Pick<Settings, PlainField>;

export const isSecretField = (field: string): field is SecretField =>
  (SECRET_FIELDS as readonly string[]).includes(field);

/** Where an effective value comes from: the user's own, the server's default, or nowhere. */
export const Source = z.enum(['user', 'default', 'none']);
export type Source = z.infer<typeof Source>;

/**
 * How a secret is shown. Never the value; `last4` only for the user's own
 * secret (never for the server's env secrets). Sent back in a PUT it means "keep".
 */
export const MaskedSecret = z
  .object({
    configured: z.boolean(),
    source: Source.optional(),
    last4: z.string().max(4).nullable().optional(),
    /** false when the stored ciphertext cannot be decrypted (tampered, foreign or key retired) */
    readable: z.boolean().optional(),
    /** an error code when not readable */
    error: z.string().max(64).optional(),
  })
  .strict();
export type MaskedSecret = z.infer<typeof MaskedSecret>;

export const UpstreamCheck = z
  .object({
    status: z.enum(['ok', 'failed', 'skipped']),
    code: z.string().max(64).optional(),
    message: z.string().max(500).optional(),
  })
  .strict();
export type UpstreamCheck = z.infer<typeof UpstreamCheck>;

export const Verification = z.object({ ok: z.boolean(), plex: UpstreamCheck, tautulli: UpstreamCheck }).strict();
export type Verification = z.infer<typeof Verification>;

const secretInput = z.union([SecretValue, MaskedSecret]).nullable().optional();

/**
 * The PUT body: any subset of the fields. Omitted = keep, null = clear (back to
 * the default), a masked secret object = keep. The read-only keys of the GET
 * view are accepted so its output can be sent back unchanged; `version`, when
 * present, must match the stored version (optimistic concurrency, 409).
 */
export const SettingsUpdate = z
  .object({
    plexUrl: HttpUrl.nullable().optional(),
    plexToken: secretInput,
    tautulliUrl: HttpUrl.nullable().optional(),
    tautulliApiKey: secretInput,
    defaultThresholdDays: Settings.shape.defaultThresholdDays.nullable().optional(),
    cacheTtlMinutes: Settings.shape.cacheTtlMinutes.nullable().optional(),
    excludedLibraryIds: LibraryIds.nullable().optional(),
    timezone: TimeZone.nullable().optional(),
    version: z.number().int().min(0).optional(),
    updatedAt: z.string().max(40).nullable().optional(),
    sources: z
      .object(Object.fromEntries(SETTINGS_FIELDS.map((f) => [f, Source.optional()])))
      .strict()
      .optional(),
    verification: Verification.optional(),
  })
  .strict();
export type SettingsUpdate = z.output<typeof SettingsUpdate>;
export type SecretInput = SettingsUpdate[SecretField];

/** What GET and PUT answer. */
export interface SettingsView {
  plexUrl: string | null;
  plexToken: MaskedSecret;
  tautulliUrl: string | null;
  tautulliApiKey: MaskedSecret;
  defaultThresholdDays: number;
  cacheTtlMinutes: number;
  excludedLibraryIds: string[];
  timezone: string;
  sources: Record<SettingsField, Source>;
  version: number;
  updatedAt: string | null;
  /** only in the answer to PUT ?verify=true */
  verification?: Verification;
}
