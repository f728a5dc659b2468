import { connectUpstream, type UpstreamTuning } from '../upstream/client-options';
import { VERSION } from '../version';
import { logger } from '../logger';
import type { UpstreamError } from '../upstream/errors';
import type { UpstreamHttp, UpstreamResponse } from '../upstream/http';
import { listingPages, type ListingOptions, type ListingPage } from '../upstream/listing';
import type { z } from 'zod';
import { accountsSchema, identitySchema, sectionsSchema } from './schemas';
import { historyListing, itemListing, type PlexListing } from './listings';
import { installClientIdentifier } from './client-identifier';
import { toAccounts, toHistory, toItem } from './normalise';
import type { PlexAccount, PlexHistoryEntry, PlexIdentity, PlexItem, PlexSection } from './types';
import { readPage } from './rows';

export interface PlexClientOptions extends UpstreamTuning {
  baseUrl: string;
  token: string;
  clientIdentifier?: string;
}

export interface PlexIterateOptions {
  /** PLEX_TYPE value; default is the section's own type (movies, shows, artists, photos). */
  type?: number;
  signal?: AbortSignal;
  /** Told the listing's row count as soon as the first page announces it (build progress). */
  onTotal?: (total: number) => void;
}

/**
 * Typed Plex Media Server client. Listings are paged (X-Plex-Container-Start /
 * -Size): the first page tells totalSize, the rest are fetched in parallel with
 * bounded look-ahead and yielded in order, so memory holds a few pages at most.
 */
export class PlexClient {
  readonly pageSize: number;
  private readonly http: UpstreamHttp;

  constructor(opts: PlexClientOptions) {
    ({ http: this.http, pageSize: this.pageSize } = connectUpstream(opts, {
      service: 'plex',
      baseUrl: opts.baseUrl,
      headers: {
        'X-Plex-Token': opts.token,
        Accept: 'application/json',
        'X-Plex-Product': 'plm',
        'X-Plex-Version': VERSION,
        'X-Plex-Client-Identifier': opts.clientIdentifier ?? installClientIdentifier(),
      },
    }));
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
    return (c.Directory ?? []).map(({ key, ...section }) => ({ id: key, ...section }));
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
      logger.warn("GET /accounts answered unexpectedly; treating the Plex token as not the owner's", {
        status: res.status,
      });
    }
    return 'not-admin';
  }

  /** The server's named local accounts (history's accountID); the owner's token only, else PLEX_UNAUTHORIZED. */
  async getAccounts(signal?: AbortSignal): Promise<PlexAccount[]> {
    return toAccounts(this.http.parse(this.check(await this.http.get({ path: '/accounts', signal })), accountsSchema));
  }

  /** Cheap authenticated call: throws PLEX_UNAUTHORIZED / _UNAVAILABLE / _TIMEOUT. */
  async verify(signal?: AbortSignal): Promise<{ sections: number }> {
    return { sections: (await this.getSections(signal)).length };
  }

  /** totalSize of a listing via a 0-length page. */
  async getSectionSize(sectionId: string, type?: number, signal?: AbortSignal): Promise<number> {
    const page = await this.page(itemListing(sectionId, type), 0, 0, signal);
    if (page.total === undefined)
      throw this.http.error('bad_response', `Plex sent no totalSize for section ${sectionId}`, {
        reason: 'totalSize missing',
      });
    return page.total;
  }

  /**
   * Every item of a section, in pages. Duplicates from a library changing
   * mid-read are dropped. With `strict`, a listing whose row count does not
   * match the totalSize Plex announced (items added or deleted while paging,
   * which shifts offsets so some rows are never read) throws a
   * PLEX_BAD_RESPONSE with reason LISTING_CHANGED instead of returning a short
   * read; callers retry the sweep (see snapshot-builder.ts).
   */
  iterateSectionItems(
    sectionId: string,
    opts: PlexIterateOptions & { strict?: boolean } = {},
  ): AsyncIterable<PlexItem[]> {
    const seen = new Set<string>();
    return this.pages(
      itemListing(sectionId, opts.type),
      { signal: opts.signal, check: opts.strict ? 'exact' : 'log', onTotal: opts.onTotal },
      (rows) => {
        const out: PlexItem[] = [];
        for (const row of rows) {
          if (seen.has(row.ratingKey)) continue;
          seen.add(row.ratingKey);
          out.push(toItem(row));
        }
        return out;
      },
    );
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
  iterateHistory(
    sectionId: string,
    opts: Pick<PlexIterateOptions, 'signal' | 'onTotal'> = {},
  ): AsyncIterable<PlexHistoryEntry[]> {
    const convert = toHistory(sectionId);
    return this.pages(
      historyListing(sectionId),
      { signal: opts.signal, check: 'at-least', onTotal: opts.onTotal },
      (rows) => rows.map(convert).filter((r): r is PlexHistoryEntry => r !== null),
    );
  }

  /** Maps statuses plm understands; returns 2xx responses. */
  private check(res: UpstreamResponse, notFound?: () => UpstreamError): UpstreamResponse {
    if (res.status >= 200 && res.status < 300) return res;
    const info = { path: res.path, upstreamStatus: res.status, attempts: res.attempts };
    if (res.status === 401)
      throw this.http.error('unauthorized', 'Plex rejected the configured token (HTTP 401)', info);
    if (res.status === 403)
      throw this.http.error(
        'unauthorized',
        "Plex denied access (HTTP 403): the token's account lacks permission",
        info,
      );
    if (res.status === 404 && notFound) throw notFound();
    throw this.http.error('bad_response', `Plex answered HTTP ${res.status} (GET ${res.path})`, info);
  }

  /** One page of a listing: `size` rows from `start` (size 0: just the total). */
  private async page<T extends z.ZodType>(
    listing: PlexListing<T>,
    start: number,
    size: number,
    signal?: AbortSignal,
  ): Promise<ListingPage<z.output<T>>> {
    const { path, section } = listing;
    // Only a section listing can mean "no such section"; an empty or missing answer anywhere else is a broken answer.
    const notFound =
      section === undefined
        ? undefined
        : () =>
            this.http.error('not_found', `Plex has no library section ${section}`, {
              path,
              reason: 'section not found',
            });
    const res = this.check(
      await this.http.get({
        path,
        query: { ...listing.query, 'X-Plex-Container-Start': start, 'X-Plex-Container-Size': size },
        signal,
      }),
      notFound,
    );
    const json = this.http.json(res);
    const body = readPage(json, listing.read) ?? this.http.validate(json, listing.schema, res);
    if (!body.MediaContainer) {
      if (notFound) throw notFound(); // Plex's other way of saying "no such section"
      throw this.http.error('bad_response', `Plex sent no MediaContainer (GET ${path})`, {
        path,
        upstreamStatus: res.status,
        reason: 'MediaContainer missing',
      });
    }
    return { rows: body.MediaContainer.Metadata ?? [], total: body.MediaContainer.totalSize };
  }

  /** Every page of a listing, converted; paging and the count check are listing.ts's. */
  private async *pages<T extends z.ZodType, R>(
    listing: PlexListing<T>,
    opts: Pick<ListingOptions<unknown>, 'check' | 'signal' | 'onTotal'>,
    convert: (rows: Array<z.output<T>>) => R[],
  ): AsyncGenerator<R[], void, undefined> {
    const size = this.pageSize;
    const rows = listingPages({
      ...opts,
      http: this.http,
      path: listing.path,
      pageSize: size,
      fetchAt: (start, s) => this.page(listing, start, size, s),
    });
    for await (const page of rows) yield convert(page);
  }
}
