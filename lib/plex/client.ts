import { resolveTuning, type UpstreamTuning } from '../upstream/client-options';
import { VERSION } from '../version';
import { logger } from '../logger';
import { isUpstreamError, type UpstreamError } from '../upstream/errors';
import { UpstreamHttp, type UpstreamResponse } from '../upstream/http';
import { offsetPages } from '../upstream/pages';
import type { z } from 'zod';
import { historyRowSchema, identitySchema, metadataSchema, pageSchema, sectionsSchema, type PlexHistoryRow, type PlexMetadata } from './schemas';
import { PLEX_TYPE, type PlexHistoryEntry, type PlexIdentity, type PlexItem, type PlexParentTotals, type PlexSection } from './types';

export interface PlexClientOptions extends UpstreamTuning {
  baseUrl: string;
  token: string;
  clientIdentifier?: string;
}

export interface PlexIterateOptions {
  /** PLEX_TYPE value; default is the section's own type (movies, shows, artists, photos). */
  type?: number;
  signal?: AbortSignal;
}

/** `info.reason` of the error thrown when a strict listing's row count does not match its totalSize. */
export const LISTING_CHANGED = 'listing changed while paging';

const itemPage = pageSchema(metadataSchema);
const historyPage = pageSchema(historyRowSchema);
/** "/library/metadata/201" → "201". */
const keyToRatingKey = (key: string | undefined): string | null => (key ? (/\/library\/metadata\/([^/?]+)/.exec(key)?.[1] ?? null) : null);

const toItem = (m: PlexMetadata): PlexItem => {
  let sizeBytes = 0;
  for (const media of m.Media ?? []) for (const part of media.Part ?? []) sizeBytes += part.size ?? 0;
  const item: PlexItem = {
    ratingKey: m.ratingKey,
    type: m.type,
    title: m.title,
    year: m.year ?? null,
    addedAt: m.addedAt,
    updatedAt: m.updatedAt ?? null,
    lastViewedAt: m.lastViewedAt ?? null,
    viewCount: m.viewCount ?? 0,
    sizeBytes,
  };
  if (m.leafCount !== undefined) item.leafCount = m.leafCount;
  if (m.viewedLeafCount !== undefined) item.viewedLeafCount = m.viewedLeafCount;
  if (m.childCount !== undefined) item.childCount = m.childCount;
  if (m.parentRatingKey !== undefined) item.parentRatingKey = m.parentRatingKey;
  if (m.grandparentRatingKey !== undefined) item.grandparentRatingKey = m.grandparentRatingKey;
  if (m.parentTitle !== undefined) item.parentTitle = m.parentTitle;
  return item;
};

const toHistory = (sectionId: string) => (r: PlexHistoryRow): PlexHistoryEntry | null => {
  const ratingKey = r.ratingKey ?? keyToRatingKey(r.key);
  if (!ratingKey) return null; // cannot be attributed to an item (e.g. a purged one)
  return {
    ratingKey,
    parentRatingKey: keyToRatingKey(r.parentKey),
    grandparentRatingKey: keyToRatingKey(r.grandparentKey),
    viewedAt: r.viewedAt,
    accountId: r.accountID ?? null,
    librarySectionId: r.librarySectionID ?? sectionId,
  };
};

/**
 * Typed Plex Media Server client. Listings are paged (X-Plex-Container-Start /
 * -Size): the first page tells totalSize, the rest are fetched in parallel with
 * bounded look-ahead and yielded in order, so memory holds a few pages at most.
 */
export class PlexClient {
  readonly pageSize: number;
  private readonly http: UpstreamHttp;

  constructor(opts: PlexClientOptions) {
    const { pageSize, ...tuning } = resolveTuning(opts, 'PLEX_PAGE_SIZE');
    this.pageSize = pageSize;
    this.http = new UpstreamHttp({
      ...tuning,
      service: 'plex',
      baseUrl: opts.baseUrl,
      headers: {
        'X-Plex-Token': opts.token,
        Accept: 'application/json',
        'X-Plex-Product': 'plm',
        'X-Plex-Version': VERSION,
        'X-Plex-Client-Identifier': opts.clientIdentifier ?? 'plm-api',
      },
    });
  }

  /** `/identity` (answers without a token on real servers, so it proves reachability only). */
  async getIdentity(signal?: AbortSignal): Promise<PlexIdentity> {
    const res = this.check(await this.http.get({ path: '/identity', signal }));
    const { MediaContainer: c } = this.http.parse(res, identitySchema);
    return { machineIdentifier: c.machineIdentifier, version: c.version };
  }

  async getSections(signal?: AbortSignal): Promise<PlexSection[]> {
    const res = this.check(await this.http.get({ path: '/library/sections', signal }));
    const { MediaContainer: c } = this.http.parse(res, sectionsSchema);
    return (c.Directory ?? []).map((d) => ({
      id: d.key,
      type: d.type,
      title: d.title,
      agent: d.agent ?? null,
      scanner: d.scanner ?? null,
      uuid: d.uuid ?? null,
      updatedAt: d.updatedAt ?? null,
      scannedAt: d.scannedAt ?? null,
    }));
  }

  /**
   * Is this token the server owner's (admin)? Asks `GET /accounts`, the PMS's
   * system-accounts list, which only the admin may read: 200 → 'admin', 401/403
   * → 'not-admin'. Third-party reports agree that non-admin tokens get 401 on
   * such routes, but this is NOT verified against a real server, so the rest
   * fails closed: an unreachable or failing server throws (the proof fails, as
   * for any Plex call), and any other answer counts as 'not-admin' (plm then
   * needs Tautulli for other accounts' plays) — never as the owner.
   */
  async isServerAdmin(signal?: AbortSignal): Promise<'admin' | 'not-admin'> {
    const res = await this.http.get({ path: '/accounts', signal });
    if (res.status >= 200 && res.status < 300) return 'admin';
    if (res.status !== 401 && res.status !== 403) {
      logger.warn('GET /accounts answered unexpectedly; treating the Plex token as not the owner\'s', { status: res.status });
    }
    return 'not-admin';
  }

  /** Cheap authenticated call: throws PLEX_UNAUTHORIZED / _UNAVAILABLE / _TIMEOUT. */
  async verify(signal?: AbortSignal): Promise<{ sections: number }> {
    return { sections: (await this.getSections(signal)).length };
  }

  /** totalSize of a listing via a 0-length page. */
  async getSectionSize(sectionId: string, type?: number, signal?: AbortSignal): Promise<number> {
    const page = await this.page(itemPage, sectionId, `/library/sections/${encodeURIComponent(sectionId)}/all`, { type }, 0, 0, signal, true);
    if (page.totalSize === undefined) throw this.http.error('bad_response', `Plex sent no totalSize for section ${sectionId}`, { reason: 'totalSize missing' });
    return page.totalSize;
  }

  /**
   * Every item of a section, in pages. Duplicates from a library changing
   * mid-read are dropped. With `strict`, a listing whose row count does not
   * match the totalSize Plex announced (items added or deleted while paging,
   * which shifts offsets so some rows are never read) throws a
   * PLEX_BAD_RESPONSE with reason LISTING_CHANGED instead of returning a short
   * read; callers retry the sweep (see snapshot-builder.ts).
   */
  iterateSectionItems(sectionId: string, opts: PlexIterateOptions & { strict?: boolean } = {}): AsyncIterable<PlexItem[]> {
    const path = `/library/sections/${encodeURIComponent(sectionId)}/all`;
    const seen = new Set<string>();
    return this.pages(itemPage, sectionId, path, { type: opts.type }, { signal: opts.signal, sectionListing: true, check: opts.strict ? 'exact' : 'log' }, (rows) => {
      const out: PlexItem[] = [];
      for (const row of rows) {
        if (seen.has(row.ratingKey)) continue;
        seen.add(row.ratingKey);
        out.push(toItem(row));
      }
      return out;
    });
  }

  /**
   * Server-wide play history of a section (all accounts when the token is the
   * owner's; only its own account's otherwise), OLDEST first. Offset paging
   * over a list that grows while we read it is only stable in ascending
   * order: new plays append at the end instead of pushing every row one
   * offset further (newest-first would make rows slide past the page
   * boundaries and never be read). Fewer rows than the announced totalSize
   * (history rows deleted mid-read) throws LISTING_CHANGED; more is fine
   * (plays that arrived during the read).
   */
  iterateHistory(sectionId: string, opts: { signal?: AbortSignal } = {}): AsyncIterable<PlexHistoryEntry[]> {
    const convert = toHistory(sectionId);
    return this.pages(historyPage, sectionId, '/status/sessions/history/all', { librarySectionID: sectionId, sort: 'viewedAt:asc' }, { signal: opts.signal, sectionListing: false, check: 'at-least' }, (rows) =>
      rows.map(convert).filter((r): r is PlexHistoryEntry => r !== null),
    );
  }

  /** Size, leaf count and newest leaf addedAt per show (episodes) or per album (tracks). */
  async getParentTotals(sectionId: string, leafType: number = PLEX_TYPE.episode, signal?: AbortSignal): Promise<Map<string, PlexParentTotals>> {
    const totals = new Map<string, PlexParentTotals>();
    for await (const page of this.iterateSectionItems(sectionId, { type: leafType, signal, strict: true })) {
      for (const leaf of page) {
        const parent = leafType === PLEX_TYPE.track ? leaf.parentRatingKey : leaf.grandparentRatingKey;
        if (!parent) continue;
        const t = totals.get(parent) ?? { sizeBytes: 0, leafCount: 0, newestLeafAddedAt: 0 };
        t.sizeBytes += leaf.sizeBytes;
        t.leafCount++;
        t.newestLeafAddedAt = Math.max(t.newestLeafAddedAt, leaf.addedAt);
        totals.set(parent, t);
      }
    }
    return totals;
  }

  /** Maps statuses plm understands; returns 2xx responses. */
  private check(res: UpstreamResponse, notFound?: () => UpstreamError): UpstreamResponse {
    if (res.status >= 200 && res.status < 300) return res;
    const info = { path: res.path, upstreamStatus: res.status, attempts: res.attempts };
    if (res.status === 401) throw this.http.error('unauthorized', 'Plex rejected the configured token (HTTP 401)', info);
    if (res.status === 403) throw this.http.error('unauthorized', "Plex denied access (HTTP 403): the token's account lacks permission", info);
    if (res.status === 404 && notFound) throw notFound();
    throw this.http.error('bad_response', `Plex answered HTTP ${res.status} (GET ${res.path})`, info);
  }

  private async page<T extends z.ZodType>(
    schema: ReturnType<typeof pageSchema<T>>,
    sectionId: string,
    path: string,
    query: Record<string, string | number | undefined>,
    start: number,
    size: number,
    signal: AbortSignal | undefined,
    sectionListing: boolean,
  ): Promise<{ rows: Array<z.output<T>>; totalSize?: number }> {
    // Only a section listing can mean "no such section"; an empty or missing answer anywhere else is a broken answer.
    const notFound = sectionListing ? () => this.http.error('not_found', `Plex has no library section ${sectionId}`, { path, reason: 'section not found' }) : undefined;
    const res = this.check(await this.http.get({ path, query: { ...query, 'X-Plex-Container-Start': start, 'X-Plex-Container-Size': size }, signal }), notFound);
    const body = this.http.parse(res, schema);
    if (!body.MediaContainer) {
      if (notFound) throw notFound(); // Plex's other way of saying "no such section"
      throw this.http.error('bad_response', `Plex sent no MediaContainer (GET ${path})`, { path, upstreamStatus: res.status, reason: 'MediaContainer missing' });
    }
    return { rows: body.MediaContainer.Metadata ?? [], totalSize: body.MediaContainer.totalSize };
  }

  private async *pages<T extends z.ZodType, R>(
    schema: ReturnType<typeof pageSchema<T>>,
    sectionId: string,
    path: string,
    query: Record<string, string | number | undefined>,
    opts: { signal: AbortSignal | undefined; sectionListing: boolean; check: 'log' | 'exact' | 'at-least' },
    convert: (rows: Array<z.output<T>>) => R[],
  ): AsyncGenerator<R[], void, undefined> {
    const { signal, sectionListing } = opts;
    const size = this.pageSize;
    const fetchAt = (start: number, s: AbortSignal | undefined) => this.page(schema, sectionId, path, query, start, size, s, sectionListing);
    const first = await fetchAt(0, signal);
    if (first.totalSize === undefined) {
      // No totalSize (seen on real servers; python-plexapi falls back the same way): the total is
      // unknown, so read page after page until a short or empty one. A first page LONGER than asked
      // means the server ignored paging and sent everything.
      yield convert(first.rows);
      if (first.rows.length < size || first.rows.length > size) return;
      // A server that ignores the start offset would send page 1 forever: stop on a repeat.
      let previousFirst = JSON.stringify(first.rows[0]);
      for (let start = size; ; start += size) {
        const next = await fetchAt(start, signal);
        const nextFirst = JSON.stringify(next.rows[0]);
        if (next.rows.length && nextFirst === previousFirst) {
          throw this.http.error('bad_response', `Plex ignored paging (the same page came back for start=${start}; GET ${path})`, { path, reason: 'paging ignored' });
        }
        previousFirst = nextFirst;
        yield convert(next.rows);
        if (next.rows.length < size) return;
      }
    }
    const total = first.totalSize;
    const pages = offsetPages({ rows: first.rows, total }, size, async (start, s) => (await fetchAt(start, s)).rows, { lookAhead: this.http.concurrency, signal });
    let count = 0;
    for await (const rows of pages) {
      count += rows.length;
      yield convert(rows);
    }
    if (count === total) return;
    const detail = { upstream: { service: 'plex', path, expected: total, received: count } };
    if (opts.check === 'log' || (opts.check === 'at-least' && count > total)) {
      logger.warn('plex listing changed while paging', detail);
      return;
    }
    throw this.http.error('bad_response', `Plex's listing changed while plm read it (GET ${path}: ${total} announced, ${count} read)`, { path, reason: LISTING_CHANGED });
  }
}
