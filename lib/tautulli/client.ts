import type * as z from 'zod';
import { connectUpstream, type UpstreamTuning } from '../upstream/client-options';
import type { UpstreamHttp, UpstreamResponse } from '../upstream/http';
import { offsetPages } from '../upstream/pages';
import { readMediaInfo } from './rows';
import { envelopeSchema, librariesSchema, libraryNamesSchema, mediaInfoSchema, serverIdentitySchema } from './schemas';
import type { TautulliLibrary, TautulliMediaInfo, TautulliMediaRow } from './types';

export interface TautulliClientOptions extends UpstreamTuning {
  /** Tautulli's base URL including any HTTP root, e.g. http://host:8181 or https://host/tautulli. */
  baseUrl: string;
  apiKey: string;
}

type Params = Record<string, string | number | undefined>;

/** Tautulli says these when the key is missing/wrong or the API is off: all "fix your settings". */
const AUTH_MESSAGE = /apikey|api key|API not enabled/i;

/**
 * Typed Tautulli API v2 client. The key goes ONLY as the `apikey` query
 * parameter (Tautulli ignores X-Api-Key on /api/v2), and it is never logged.
 * Every answer is checked by its envelope: since v2.10.5 all errors — a bad key
 * included — are HTTP 400, so the status alone means little.
 */
export class TautulliClient {
  readonly pageSize: number;
  private readonly http: UpstreamHttp;

  constructor(opts: TautulliClientOptions) {
    ({ http: this.http, pageSize: this.pageSize } = connectUpstream(opts, {
      service: 'tautulli',
      baseUrl: opts.baseUrl,
      headers: { Accept: 'application/json' },
      secretQuery: { apikey: opts.apiKey },
    }));
  }

  async getLibraries(signal?: AbortSignal): Promise<TautulliLibrary[]> {
    const rows = await this.call('get_libraries', {}, librariesSchema, signal);
    return rows.map((r) => ({
      sectionId: r.section_id,
      sectionName: r.section_name,
      sectionType: r.section_type,
      agent: r.agent,
      count: r.count,
      parentCount: r.parent_count,
      childCount: r.child_count,
      isActive: r.is_active === undefined ? true : r.is_active === 1,
    }));
  }

  /**
   * The machineIdentifier of the Plex server Tautulli watches (`cmd=get_server_identity`), or
   * null when Tautulli could not tell (it asks its Plex live and answers `{}` when that fails).
   */
  async getServerIdentity(signal?: AbortSignal): Promise<{ machineIdentifier: string | null; version: string | null }> {
    const data = await this.call('get_server_identity', {}, serverIdentitySchema, signal);
    const row = Array.isArray(data) ? data[0] : data;
    return { machineIdentifier: row?.machine_identifier || null, version: row?.version || null };
  }

  /** Cheap authenticated call (get_library_names reads Tautulli's own DB, not Plex). */
  async verify(signal?: AbortSignal): Promise<{ libraries: number }> {
    return { libraries: (await this.call('get_library_names', {}, libraryNamesSchema, signal)).length };
  }

  /**
   * Reads the first page now (so an unknown section or a bad key throws here),
   * and returns the cache metadata plus every row, paged with explicit
   * start/length (never Tautulli's 25-row default) in a stable added_at order.
   */
  async getLibraryMediaInfo(sectionId: string, opts: { signal?: AbortSignal } = {}): Promise<TautulliMediaInfo> {
    const size = this.pageSize;
    const fetchAt = (start: number, signal?: AbortSignal) =>
      this.call(
        'get_library_media_info',
        { section_id: sectionId, start, length: size, order_column: 'added_at', order_dir: 'asc' },
        mediaInfoSchema,
        signal,
        readMediaInfo,
      );
    const first = await fetchAt(0, opts.signal);
    if (first.draw === 0) return this.notListed(sectionId, opts.signal);
    const seen = new Set<string>();
    const convert = (rows: z.output<typeof mediaInfoSchema>['data']): TautulliMediaRow[] => {
      const out: TautulliMediaRow[] = [];
      for (const r of rows) {
        if (seen.has(r.rating_key)) continue;
        seen.add(r.rating_key);
        out.push({
          ratingKey: r.rating_key,
          title: r.title,
          mediaType: r.media_type,
          addedAt: r.added_at,
          year: r.year ?? null,
          fileSizeBytes: r.file_size ?? null,
          lastPlayed: r.last_played ?? null,
          playCount: r.play_count ?? 0,
        });
      }
      return out;
    };
    const raw = offsetPages(
      { rows: first.data, total: first.recordsFiltered },
      size,
      async (start, s) => (await fetchAt(start, s)).data,
      {
        concurrency: this.http.concurrency,
        signal: opts.signal,
      },
    );
    return {
      sectionId,
      lastRefreshed: first.last_refreshed ?? null,
      recordsTotal: first.recordsTotal,
      pages: (async function* () {
        for await (const rows of raw) yield convert(rows);
      })(),
    };
  }

  /**
   * `draw: 0` is Tautulli's answer to anything it could not list: a section it
   * does not know, but also an empty library or a Plex it cannot reach (its
   * libraries.py returns the same default for all three). Its library list
   * tells them apart: unknown → not found; known and empty → no rows; known
   * with items → Tautulli is unavailable for this library (never "no rows").
   */
  private async notListed(sectionId: string, signal?: AbortSignal): Promise<TautulliMediaInfo> {
    const library = (await this.getLibraries(signal)).find((l) => l.sectionId === sectionId);
    const info = { path: '/api/v2', reason: 'draw 0' };
    if (!library) throw this.http.error('not_found', `Tautulli has no library section ${sectionId}`, info);
    if (library.count === 0)
      return { sectionId, lastRefreshed: null, recordsTotal: 0, pages: (async function* () {})() };
    throw this.http.error(
      'unavailable',
      `Tautulli knows library section ${sectionId} but could not list it (it may not reach its Plex server)`,
      info,
    );
  }

  /** One API call: envelope checked, `data` validated (read by `read` when given, zod reading what it does not recognise). */
  private async call<S extends z.ZodType>(
    cmd: string,
    params: Params,
    schema: S,
    signal?: AbortSignal,
    read?: (data: unknown) => z.output<S> | undefined,
  ): Promise<z.output<S>> {
    const res = await this.http.get({ path: '/api/v2', query: { cmd, ...params }, signal });
    const info = { path: res.path, upstreamStatus: res.status, attempts: res.attempts };
    if (res.status === 401 || res.status === 403) {
      // Pre-2.10.5 Tautulli, or a reverse proxy in front of it.
      throw this.http.error(
        'unauthorized',
        `Tautulli rejected the request (HTTP ${res.status}); check the API key`,
        info,
      );
    }
    const envelope = this.envelope(res);
    const { result, message, data } = envelope.response;
    if (result === 'error') {
      const said = (message ?? '').slice(0, 160);
      if (AUTH_MESSAGE.test(said))
        throw this.http.error('unauthorized', `Tautulli rejected the configured API key: ${said}`, {
          ...info,
          reason: said,
        });
      throw this.http.error('bad_response', `Tautulli refused ${cmd} (HTTP ${res.status}): ${said || 'no message'}`, {
        ...info,
        reason: said || undefined,
      });
    }
    if (res.status !== 200)
      throw this.http.error('bad_response', `Tautulli answered HTTP ${res.status} to ${cmd}`, info);
    return read?.(data) ?? this.http.validate(data, schema, res);
  }

  private envelope(res: UpstreamResponse): z.output<typeof envelopeSchema> {
    try {
      return this.http.parse(res, envelopeSchema);
    } catch (err) {
      if (res.status === 404) {
        throw this.http.error(
          'bad_response',
          'Tautulli answered HTTP 404 for /api/v2: check the Tautulli URL (and its HTTP root)',
          {
            path: res.path,
            upstreamStatus: 404,
          },
        );
      }
      throw err;
    }
  }
}
