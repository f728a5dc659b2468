import { logger } from '../logger';
import type { UpstreamHttp } from './http';
import { SERVICE_NAME } from './errors';
import { offsetPages } from './pages';

/**
 * A listing read page by page at offsets (Plex's X-Plex-Container-Start/-Size),
 * whether or not the first page says how many rows there are in total.
 */

/** `info.reason` of the error thrown when a strict listing's row count does not match its announced total. */
export const LISTING_CHANGED = 'listing changed while paging';

export interface ListingPage<T> {
  rows: T[];
  /** Rows in the whole listing, when the upstream says. */
  total?: number;
}

export interface ListingOptions<T> {
  /** Errors, log lines and look-ahead (its concurrency) come from here. */
  http: UpstreamHttp;
  /** Request path without query string, for messages. */
  path: string;
  pageSize: number;
  /** The page of up to pageSize rows from `start`. */
  fetchAt: (start: number, signal?: AbortSignal) => Promise<ListingPage<T>>;
  /**
   * Rows read ≠ total announced (the listing changed while we read it):
   * 'log' warns; 'exact' throws LISTING_CHANGED; 'at-least' throws only when
   * rows are missing (more is fine: rows that arrived during the read).
   */
  check: 'log' | 'exact' | 'at-least';
  signal?: AbortSignal;
  /** Told the row count as soon as the first page announces it. */
  onTotal?: (total: number) => void;
}

/** Every page of the listing, in order. */
export async function* listingPages<T>(opts: ListingOptions<T>): AsyncGenerator<T[], void, undefined> {
  const first = await opts.fetchAt(0, opts.signal);
  if (first.total === undefined) yield* pagesUntilShort(first.rows, opts);
  else {
    opts.onTotal?.(first.total);
    yield* countedPages({ rows: first.rows, total: first.total }, opts);
  }
}

/** Total known: the other pages are fetched in parallel (bounded look-ahead), then the count is checked. */
async function* countedPages<T>(
  first: { rows: T[]; total: number },
  opts: ListingOptions<T>,
): AsyncGenerator<T[], void, undefined> {
  const { http, pageSize, fetchAt, signal } = opts;
  const pages = offsetPages(first, pageSize, async (start, s) => (await fetchAt(start, s)).rows, {
    concurrency: http.concurrency,
    signal,
  });
  let count = 0;
  for await (const rows of pages) {
    count += rows.length;
    yield rows;
  }
  checkCount(count, first.total, opts);
}

function checkCount<T>(count: number, total: number, { http, path, check }: ListingOptions<T>): void {
  if (count === total) return;
  if (check === 'log' || (check === 'at-least' && count > total)) {
    logger.warn(`${http.service} listing changed while paging`, {
      upstream: { service: http.service, path, expected: total, received: count },
    });
    return;
  }
  const name = SERVICE_NAME[http.service];
  throw http.error(
    'bad_response',
    `${name}'s listing changed while plm read it (GET ${path}: ${total} announced, ${count} read)`,
    { path, reason: LISTING_CHANGED },
  );
}

/**
 * No total (seen on real Plex servers; python-plexapi falls back the same
 * way): read page after page until a short or empty one. A first page LONGER
 * than asked means the server ignored paging and sent everything.
 */
async function* pagesUntilShort<T>(
  firstRows: T[],
  { http, path, pageSize, fetchAt, signal }: ListingOptions<T>,
): AsyncGenerator<T[], void, undefined> {
  yield firstRows;
  if (firstRows.length !== pageSize) return;
  // A server that ignores the start offset would send page 1 forever: stop on a repeat.
  let previousFirst = JSON.stringify(firstRows[0]);
  for (let start = pageSize; ; start += pageSize) {
    const { rows } = await fetchAt(start, signal);
    const nextFirst = JSON.stringify(rows[0]);
    if (rows.length && nextFirst === previousFirst) {
      const name = SERVICE_NAME[http.service];
      throw http.error(
        'bad_response',
        `${name} ignored paging (the same page came back for start=${start}; GET ${path})`,
        { path, reason: 'paging ignored' },
      );
    }
    previousFirst = nextFirst;
    yield rows;
    if (rows.length < pageSize) return;
  }
}
