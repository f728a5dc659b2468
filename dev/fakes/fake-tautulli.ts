/**
 * Fake Tautulli (API v2.17) speaking the shapes of the real one (see
 * shared/reference/plex-tautulli-api.md): key ONLY as the `apikey` query
 * parameter (an X-Api-Key header is ignored), `{response:{result,message,data}}`
 * envelope, every error HTTP 400, string numbers from Plex XML, media-info rows
 * from a cache snapshot with 25-row / sort_title desc defaults, `draw: 0` for an
 * unknown section, and stats over all users since installation.
 */
import type { FakeDataset, FakeItem } from './dataset';
import { startFakeServer, type FakeResponse, type FakeServer, type RecordedRequest } from './fake-server';
import { LibraryView, SECTION_DEFAULT_TYPE } from './library-view';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const COMMANDS = [
  'get_libraries',
  'get_library_names',
  'get_library_media_info',
  'get_history',
  'get_server_identity',
] as const;
const POSSIBLE = `Possible commands are: ${COMMANDS.join(', ')}`;

const envelope = (status: number, result: 'success' | 'error', message: string | null, data: Json): FakeResponse => ({
  status,
  headers: { 'Content-Type': 'application/json;charset=UTF-8' },
  body: JSON.stringify({ response: { result, message, data } }),
});
const fail = (message: string | null) => envelope(400, 'error', message, {});
const ok = (data: Json) => envelope(200, 'success', null, data);

const UNKNOWN_SECTION = {
  recordsFiltered: 0,
  recordsTotal: 0,
  draw: 0,
  data: [],
  filtered_file_size: 0,
  total_file_size: 0,
  last_refreshed: null,
};

/** Python's list[a:b], which is how Tautulli pages (so length=-1 drops the last row). */
const pySlice = <T>(xs: readonly T[], a: number, b: number): T[] => {
  const norm = (i: number) => (i < 0 ? Math.max(0, xs.length + i) : Math.min(i, xs.length));
  return xs.slice(norm(a), Math.max(norm(a), norm(b)));
};

const toInt = (v: string | undefined, def: number) => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : def);

export interface FakeTautulliOptions {
  apiKey: string;
  /**
   * machineIdentifier of the Plex server this Tautulli watches (get_server_identity);
   * default the dataset's. Another value simulates a Tautulli set up for a different server.
   */
  plexMachineIdentifier?: string;
  port?: number;
  latencyMs?: number;
}

export interface FakeTautulli extends FakeServer {
  setDataset(dataset: FakeDataset): void;
}

type MediaRow = { [k: string]: Json } & {
  file_size: string;
  sort_title: string;
  added_at: string;
  last_played: number | null;
  play_count: number | null;
};

export const startFakeTautulli = async (dataset: FakeDataset, opts: FakeTautulliOptions): Promise<FakeTautulli> => {
  let view = new LibraryView(dataset);
  let refreshed = new Map<string, number | null>();
  let rowCache = new Map<string, MediaRow[]>();

  const mediaRow = (item: FakeItem, stats: { lastPlayed: number; playCount: number } | undefined): MediaRow => {
    const firstPart = item.media?.[0]?.[0];
    const hasMedia = firstPart !== undefined;
    const v = (s: string) => (hasMedia && item.type !== 'photo' && item.type !== 'track' ? s : '');
    return {
      section_id: Number(item.sectionId),
      section_type: view.section(item.sectionId)?.type ?? '',
      added_at: String(item.addedAt),
      media_type: item.type,
      rating_key: item.ratingKey,
      parent_rating_key: '',
      grandparent_rating_key: '',
      title: item.title,
      sort_title: item.titleSort,
      year: item.year === null ? '' : String(item.year),
      media_index: '',
      parent_media_index: '',
      thumb: `/library/metadata/${item.ratingKey}/thumb/${item.updatedAt}`,
      container: hasMedia ? 'mkv' : '',
      bitrate: hasMedia ? '5000' : '',
      video_codec: v('h264'),
      video_resolution: v('1080'),
      video_framerate: v('24p'),
      audio_codec: hasMedia ? 'aac' : '',
      audio_channels: hasMedia ? '2' : '',
      // First Media's first Part only, like Tautulli; "" for shows/artists (no Media).
      file_size: hasMedia ? String(firstPart) : '',
      last_played: stats?.lastPlayed ?? null,
      play_count: stats?.playCount ?? null,
    };
  };

  /** Rows of the cache built at `at`; the stats are live from Tautulli's history (not cached). */
  const rowsOf = (sectionId: string, at: number): MediaRow[] => {
    const key = `${sectionId}:${at}`;
    let rows = rowCache.get(key);
    if (!rows) {
      const stats = view.tautulliStats(sectionId);
      rows = view.tautulliSnapshot(sectionId, at).map((i) => mediaRow(i, stats.get(i.ratingKey)));
      rowCache.set(key, rows);
    }
    return rows;
  };

  const mediaInfo = (q: Record<string, string>): FakeResponse => {
    const sectionId = q.section_id ?? '';
    const section = /^\d+$/.test(sectionId) ? view.section(sectionId) : undefined;
    if (!section) return ok(UNKNOWN_SECTION);
    let lastRefreshed = refreshed.has(sectionId) ? (refreshed.get(sectionId) ?? null) : view.ds.tautulli.lastRefreshed;
    let builtAt = lastRefreshed ?? view.ds.now;
    if (q.refresh === 'true') builtAt = lastRefreshed = view.ds.now;
    refreshed.set(sectionId, builtAt); // the first uncached build answers last_refreshed: null

    const search = (q.search ?? '').toLowerCase();
    let rows = rowsOf(sectionId, builtAt).filter((r) => !search || String(r.title).toLowerCase().includes(search));
    const column = q.order_column === 'title' ? 'sort_title' : (q.order_column ?? 'sort_title');
    const desc = (q.order_dir ?? 'desc') !== 'asc';
    const numeric = ['added_at', 'file_size', 'last_played', 'play_count', 'bitrate'].includes(column);
    const keyOf = (r: MediaRow): string | number => {
      const val = r[column];
      return numeric ? Number(val ?? 0) || 0 : String(val ?? '').toLowerCase();
    };
    rows = [...rows].sort((a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (desc ? -1 : 1);
    });
    const start = toInt(q.start, 0);
    const length = toInt(q.length, 25);
    const pageRows = pySlice(rows, start, start + length);
    const sum = (rs: MediaRow[]) => rs.reduce((s, r) => s + (Number(r.file_size) || 0), 0);
    return ok({
      recordsFiltered: rows.length,
      recordsTotal: view.tautulliSnapshot(sectionId, builtAt).length,
      data: pageRows,
      draw: 1,
      filtered_file_size: sum(pageRows), // sums the returned page (names are swapped in Tautulli)
      total_file_size: sum(rows),
      last_refreshed: lastRefreshed,
    });
  };

  const libraries = (): FakeResponse =>
    ok(
      view.ds.sections.map((s) => {
        const row: { [k: string]: Json } = {
          section_id: s.id,
          section_name: s.title,
          section_type: s.type,
          agent: s.agent,
          thumb: `/:/resources/${s.type}.png`,
          art: `/:/resources/${s.type}-fanart.jpg`,
          count: String(view.listing(s.id, SECTION_DEFAULT_TYPE[s.type]).length),
          is_active: 1,
        };
        if (s.type === 'show' || s.type === 'artist') {
          row.parent_count = String(view.listing(s.id, s.type === 'show' ? 'season' : 'album').length);
          row.child_count = String(view.listing(s.id, s.type === 'show' ? 'episode' : 'track').length);
        }
        return row;
      }),
    );

  const history = (q: Record<string, string>): FakeResponse => {
    const all = view.tautulliPlays().map((play, i) => ({ play, id: i + 1, item: view.byKey.get(play.ratingKey) }));
    const rows = all
      .filter(
        ({ play, item }) =>
          item &&
          (!q.section_id || item.sectionId === q.section_id) &&
          (!q.rating_key || item.ratingKey === q.rating_key) &&
          (!q.parent_rating_key || item.parentRatingKey === q.parent_rating_key) &&
          (!q.grandparent_rating_key || item.grandparentRatingKey === q.grandparent_rating_key) &&
          (!q.user_id || String(play.accountId) === q.user_id),
      )
      .sort(
        (a, b) => ((q.order_dir ?? 'desc') === 'asc' ? 1 : -1) * (a.play.viewedAt - b.play.viewedAt || a.id - b.id),
      );
    const start = toInt(q.start, 0);
    const pageRows = pySlice(rows, start, start + toInt(q.length, 25));
    const intOr = (k: string | undefined) => (k ? Number(k) : '');
    return ok({
      recordsFiltered: rows.length,
      recordsTotal: all.length,
      draw: 1,
      filter_duration: `${rows.length * 1000} secs`,
      total_duration: `${all.length * 1000} secs`,
      data: pageRows.map(({ play, id, item }) => {
        const i = item as FakeItem;
        const account = view.ds.accounts.find((a) => a.id === play.accountId);
        const gp = i.grandparentRatingKey ? view.byKey.get(i.grandparentRatingKey) : undefined;
        const parent = i.parentRatingKey ? view.byKey.get(i.parentRatingKey) : undefined;
        return {
          reference_id: id,
          row_id: id,
          id,
          date: play.viewedAt,
          started: play.viewedAt,
          stopped: play.viewedAt + 1000,
          duration: 1000,
          play_duration: 1000,
          paused_counter: 0,
          user_id: play.accountId,
          user: account?.name ?? '',
          friendly_name: account?.name ?? '',
          media_type: i.type,
          rating_key: Number(i.ratingKey),
          parent_rating_key: intOr(i.parentRatingKey),
          grandparent_rating_key: intOr(i.grandparentRatingKey),
          full_title: gp ? `${gp.title} - ${i.title}` : i.title,
          title: i.title,
          grandparent_title: gp?.title ?? '',
          media_index: i.index ?? '',
          parent_media_index: parent?.index ?? '',
          guid: `plex://${i.type}/${Number(i.ratingKey).toString(16).padStart(24, '0')}`,
          transcode_decision: 'direct play',
          percent_complete: 100,
          watched_status: 1,
          group_count: 1,
          group_ids: String(id),
          live: 0,
          state: null,
          session_key: null,
        };
      }),
    });
  };

  const server = await startFakeServer({
    secretHeader: 'X-Api-Key',
    secretQuery: 'apikey',
    headerAuthenticates: false,
    secret: opts.apiKey,
    port: opts.port,
    latencyMs: opts.latencyMs,
    errorBody: (status) => envelope(status, 'error', status >= 500 ? 'Check the logs for errors' : null, {}),
    handle: (req: RecordedRequest) => {
      if (req.path === '/api' || req.path === '/api/')
        return envelope(200, 'error', 'Please use the /api/v2 endpoint.', {});
      if (req.path !== '/api/v2' && req.path !== '/api/v2/')
        return {
          status: 404,
          headers: { 'Content-Type': 'text/html' },
          body: '<html><body>404 Not Found</body></html>',
        };
      const q = req.query;
      if (!req.secretIn.query) return fail('Parameter apikey is required');
      if (!q.cmd) return fail(`Parameter cmd is required. ${POSSIBLE}`);
      if (!(COMMANDS as readonly string[]).includes(q.cmd)) return fail(`Unknown command: ${q.cmd}. ${POSSIBLE}`);
      if (!req.authorized) return fail('Invalid apikey');
      switch (q.cmd) {
        case 'get_libraries':
          return libraries();
        case 'get_library_names':
          return ok(
            view.ds.sections.map((s) => ({
              section_id: Number(s.id),
              section_name: s.title,
              section_type: s.type,
              agent: s.agent,
            })),
          );
        case 'get_library_media_info':
          return mediaInfo(q);
        case 'get_server_identity':
          // Tautulli v2.17.2 pmsconnect.get_server_identity: a dict read live from its Plex's /identity.
          return ok({
            machine_identifier: opts.plexMachineIdentifier ?? view.ds.machineIdentifier,
            version: view.ds.version,
          });
        default:
          return history(q);
      }
    },
  });

  return Object.assign(server, {
    setDataset: (ds: FakeDataset) => {
      view = new LibraryView(ds);
      refreshed = new Map();
      rowCache = new Map();
    },
  });
};
