import * as z from 'zod';
import { id, num, numOrNull, orNull, text } from '../upstream/schema';

/** `{response:{result,message,data}}` — always, on success and on error (HTTP 400/500). */
export const envelopeSchema = z.object({
  response: z.object({
    result: z.enum(['success', 'error']),
    message: z.string().nullish(),
    data: z.unknown(),
  }),
});

export const librariesSchema = z.array(
  z.object({
    section_id: id,
    section_name: text,
    section_type: z.string(),
    agent: orNull(z.string().nullable()),
    count: orNull(numOrNull),
    parent_count: orNull(numOrNull),
    child_count: orNull(numOrNull),
    is_active: num.optional(),
  }),
);

/**
 * get_server_identity (Tautulli v2.17.2 webserve.py → pmsconnect.get_server_identity): a dict
 * `{machine_identifier, version}` read live from its Plex; `{}` when Tautulli cannot read its Plex.
 * The docstring shows a one-element list, so that form is accepted too.
 */
const serverIdentity = z.object({ machine_identifier: z.string().nullish(), version: text.nullish() });
export const serverIdentitySchema = z.union([serverIdentity, z.array(serverIdentity).max(1)]);

export const libraryNamesSchema = z.array(z.object({ section_id: id, section_name: text, section_type: z.string() }));

export const mediaRowSchema = z.object({
  rating_key: id,
  title: text,
  media_type: z.string(),
  added_at: num,
  year: numOrNull.optional(),
  file_size: numOrNull.optional(),
  last_played: numOrNull.optional(),
  play_count: numOrNull.optional(),
});

/** Tautulli's "could not list" default (draw 0) carries `"null"` as its rows in some versions. */
const noRowsWhenNotListed = (v: unknown): unknown =>
  typeof v === 'object' && v !== null && Number((v as { draw?: unknown }).draw) === 0 ? { ...v, data: [] } : v;

export const mediaInfoSchema = z.preprocess(
  noRowsWhenNotListed,
  z.object({
    draw: num,
    recordsTotal: num,
    recordsFiltered: num,
    last_refreshed: numOrNull.optional(),
    data: z.array(mediaRowSchema),
  }),
);
