/**
 * Pages fetched ahead of the one being folded in, per listing: the next page
 * arrives while this one is processed, and a sweep's listings (units, leaves,
 * history, Tautulli) run side by side within the client's UPSTREAM_CONCURRENCY.
 * Two: a page being fetched while the next is already asked for (a listing still
 * reads pages in parallel); four held more pages in memory at once without making
 * a 100k-item sweep faster (npm run bench: 10–30 MB more peak RSS).
 */
const PAGES_AHEAD = 2;

/**
 * Yields fetchPage(0), fetchPage(1), … fetchPage(count-1) IN ORDER while up to
 * `lookAhead` later pages are already being fetched. Memory stays bounded: at
 * most `lookAhead` pages are buffered, so a 100k-item section never sits in
 * memory at once. Stopping early (break, error, caller abort) aborts the pages
 * still in flight.
 */
export async function* orderedPages<T>(
  count: number,
  fetchPage: (index: number, signal: AbortSignal) => Promise<T>,
  opts: { lookAhead: number; signal?: AbortSignal },
): AsyncGenerator<T, void, undefined> {
  const stop = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal;
  const window: Array<Promise<T>> = [];
  let next = 0;
  const launch = () => {
    const p = fetchPage(next++, signal);
    p.catch(() => undefined); // handled when its turn comes; avoids unhandled rejections meanwhile
    window.push(p);
  };
  try {
    while (next < count && window.length < Math.max(1, opts.lookAhead)) launch();
    for (let head = window.shift(); head; head = window.shift()) {
      const page = await head;
      if (next < count) launch(); // keep the pipe full while the consumer works on `page`
      yield page;
    }
  } finally {
    stop.abort();
  }
}

/**
 * Offset paging shared by Plex and Tautulli: the caller fetched the first page
 * (which told the total); the other pages start at k·pageSize and are fetched
 * in parallel — already while the consumer works on the first page.
 */
export async function* offsetPages<T>(
  first: { rows: T[]; total: number },
  pageSize: number,
  fetchAt: (start: number, signal: AbortSignal) => Promise<T[]>,
  /** `concurrency`: the client's connections; at most PAGES_AHEAD of them read ahead. */
  opts: { concurrency: number; signal?: AbortSignal },
): AsyncGenerator<T[], void, undefined> {
  const remaining = Math.max(0, Math.ceil(first.total / pageSize) - 1);
  const stop = new AbortController(); // an early exit cancels pages in flight at once
  const rest = orderedPages(remaining, (i, s) => fetchAt((i + 1) * pageSize, s), {
    lookAhead: Math.min(PAGES_AHEAD, opts.concurrency),
    signal: opts.signal ? AbortSignal.any([opts.signal, stop.signal]) : stop.signal,
  });
  const upcoming = rest.next();
  upcoming.catch(() => undefined);
  try {
    yield first.rows;
    for (let r = await upcoming; !r.done; r = await rest.next()) yield r.value;
  } finally {
    stop.abort();
    await rest.return().catch(() => undefined);
  }
}
