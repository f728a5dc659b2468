import { resolveTuning, type UpstreamTuning } from '../upstream/client-options';
import { VERSION } from '../version';
import { logger } from '../logger';
import type { UpstreamError } from '../upstream/errors';
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

  /** Cheap authenticated call: throws PLEX_UNAUTHORIZED / _UNAVAILABLE / _TIMEOUT. */
  async verify(signal?: AbortSignal): Promise<{ sections: number }> {
    return { sections: (await this.getSections(signal)).length };
  }

  /** totalSize of a listing via a 0-length page. */
  async getSectionSize(sectionId: string, type?: number, signal?: AbortSignal): Promise<number> {
    const page = await this.page(itemPage, sectionId, `/library/sections/${encodeURIComponent(sectionId)}/all`, { type }, 0, 0, signal);
    if (page.totalSize === undefined) throw this.http.error('bad_response', `Plex sent no totalSize for section ${sectionId}`, { reason: 'totalSize missing' });
    return page.totalSize;
  }

  /** Every item of a section, in pages. Duplicates from a library changing mid-read are dropped. */
  iterateSectionItems(sectionId: string, opts: PlexIterateOptions = {}): AsyncIterable<PlexItem[]> {
    const path = `/library/sections/${encodeURIComponent(sectionId)}/all`;
    const seen = new Set<string>();
    return this.pages(itemPage, sectionId, path, { type: opts.type }, opts.signal, (rows) => {
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
   * Server-wide play history of a section (all accounts), newest first. With
   * `since` (epoch s) rows older are dropped and paging stops early; the filter
   * is applied here because Plex's `viewedAt>=` query syntax is not verified.
   */
  async *iterateHistory(sectionId: string, opts: { since?: number; signal?: AbortSignal } = {}): AsyncGenerator<PlexHistoryEntry[], void, undefined> {
    const convert = toHistory(sectionId);
    const pages = this.pages(historyPage, sectionId, '/status/sessions/history/all', { librarySectionID: sectionId, sort: 'viewedAt:desc' }, opts.signal, (rows) =>
      rows.map(convert).filter((r): r is PlexHistoryEntry => r !== null),
    );
    for await (const page of pages) {
      if (opts.since === undefined) {
        yield page;
        continue;
      }
      const since = opts.since;
      const kept = page.filter((r) => r.viewedAt >= since);
      if (kept.length) yield kept;
      if (kept.length < page.length) return; // sorted desc: the rest is older
    }
  }

  /** Size, leaf count and newest leaf addedAt per show (episodes) or per album (tracks). */
  async getParentTotals(sectionId: string, leafType: number = PLEX_TYPE.episode, signal?: AbortSignal): Promise<Map<string, PlexParentTotals>> {
    const totals = new Map<string, PlexParentTotals>();
    for await (const page of this.iterateSectionItems(sectionId, { type: leafType, signal })) {
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
    signal?: AbortSignal,
  ): Promise<{ rows: Array<z.output<T>>; totalSize?: number }> {
    const notFound = () => this.http.error('not_found', `Plex has no library section ${sectionId}`, { path, reason: 'section not found' });
    const res = this.check(
      await this.http.get({ path, query: { ...query, 'X-Plex-Container-Start': start, 'X-Plex-Container-Size': size }, signal }),
      notFound,
    );
    const body = this.http.parse(res, schema);
    if (!body.MediaContainer) throw notFound(); // Plex's other way of saying "no such section"
    return { rows: body.MediaContainer.Metadata ?? [], totalSize: body.MediaContainer.totalSize };
  }

  private async *pages<T extends z.ZodType, R>(
    schema: ReturnType<typeof pageSchema<T>>,
    sectionId: string,
    path: string,
    query: Record<string, string | number | undefined>,
    signal: AbortSignal | undefined,
    convert: (rows: Array<z.output<T>>) => R[],
  ): AsyncGenerator<R[], void, undefined> {
    const size = this.pageSize;
    const first = await this.page(schema, sectionId, path, query, 0, size, signal);
    const total = first.totalSize ?? first.rows.length;
    const pages = offsetPages({ rows: first.rows, total }, size, async (start, s) => (await this.page(schema, sectionId, path, query, start, size, s)).rows, {
      lookAhead: this.http.concurrency,
      signal,
    });
    let count = 0;
    for await (const rows of pages) {
      count += rows.length;
      yield convert(rows);
    }
    if (count !== total) logger.warn('plex listing changed while paging', { upstream: { service: 'plex', path, expected: total, received: count } });
  }
}
