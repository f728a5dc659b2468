/**
 * The naive baseline, written after the original design's client sketches
 * (shared/reference/original-design.md: `fetch(...)` then `response.json()`,
 * no cache): every request reads the whole library again — the section
 * listing, for shows every episode, the Plex history and Tautulli's media
 * info, in pages of 500 (sources in parallel, pages one after another) —
 * judges it and answers the first 100 unused items.
 */
import { BENCH_NOW_S } from '../lib/clock';

const PAGE = 500;
const THRESHOLD_DAYS = 90;

interface Row {
  ratingKey: string;
  title: string;
  addedAt: number;
  lastViewedAt?: number;
  grandparentRatingKey?: string;
  Media?: Array<{ Part?: Array<{ size?: number }> }>;
}
interface HistoryRow {
  ratingKey?: string;
  grandparentKey?: string;
  viewedAt: number;
}
interface TautulliRow {
  rating_key: string;
  last_played: number | null;
}

const plexPages = async <T>(path: string, query: Record<string, string>): Promise<T[]> => {
  const out: T[] = [];
  for (let start = 0; ; start += PAGE) {
    const url = new URL(process.env.PLEX_URL! + path);
    for (const [k, v] of Object.entries({
      ...query,
      'X-Plex-Container-Start': String(start),
      'X-Plex-Container-Size': String(PAGE),
    }))
      url.searchParams.set(k, v);
    const response = await fetch(url, {
      headers: { 'X-Plex-Token': process.env.PLEX_TOKEN!, Accept: 'application/json' },
    });
    const body = (await response.json()) as { MediaContainer: { Metadata?: T[] } };
    const rows = body.MediaContainer.Metadata ?? [];
    out.push(...rows);
    if (rows.length < PAGE) return out;
  }
};

const tautulliRows = async (sectionId: string): Promise<TautulliRow[]> => {
  const out: TautulliRow[] = [];
  for (let start = 0; ; start += PAGE) {
    const url = new URL(`${process.env.TAUTULLI_URL!}/api/v2`);
    const q = {
      apikey: process.env.TAUTULLI_API_KEY!,
      cmd: 'get_library_media_info',
      section_id: sectionId,
      start: String(start),
      length: String(PAGE),
    };
    for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = (await response.json()) as { response: { data: { data: TautulliRow[] } } };
    const rows = body.response.data.data;
    out.push(...rows);
    if (rows.length < PAGE) return out;
  }
};

const keyOf = (key: string | undefined) => key?.split('/').pop();

/** One naive request: everything fetched, judged, the first 100 unused items as JSON. */
const naiveRequest = async (sectionId: string, type: 'movie' | 'show'): Promise<string> => {
  const [units, episodes, history, tautulli] = await Promise.all([
    plexPages<Row>(`/library/sections/${sectionId}/all`, { type: type === 'movie' ? '1' : '2' }),
    type === 'show' ? plexPages<Row>(`/library/sections/${sectionId}/all`, { type: '4' }) : Promise.resolve([]),
    plexPages<HistoryRow>('/status/sessions/history/all', { librarySectionID: sectionId }),
    tautulliRows(sectionId),
  ]);
  const lastPlayed = new Map<string, number>();
  const lastAdded = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string | undefined, v: number | null | undefined) => {
    if (k && v) m.set(k, Math.max(m.get(k) ?? 0, v));
  };
  for (const e of episodes) {
    bump(lastPlayed, e.grandparentRatingKey, e.lastViewedAt);
    bump(lastAdded, e.grandparentRatingKey, e.addedAt);
  }
  for (const h of history) bump(lastPlayed, type === 'show' ? keyOf(h.grandparentKey) : h.ratingKey, h.viewedAt);
  for (const t of tautulli) bump(lastPlayed, t.rating_key, t.last_played);
  const cutoff = BENCH_NOW_S - THRESHOLD_DAYS * 86_400;
  const judged = units.map((u) => {
    const played = Math.max(u.lastViewedAt ?? 0, lastPlayed.get(u.ratingKey) ?? 0);
    const added = Math.max(u.addedAt, lastAdded.get(u.ratingKey) ?? 0);
    let size = 0;
    for (const m of u.Media ?? []) for (const p of m.Part ?? []) size += p.size ?? 0;
    return {
      id: u.ratingKey,
      title: u.title,
      lastPlayedAt: played || null,
      activity: Math.max(played, added),
      sizeBytes: size,
    };
  });
  const unused = judged.filter((j) => j.activity < cutoff).sort((a, b) => a.activity - b.activity);
  return JSON.stringify(unused.slice(0, 100));
};

export interface NaiveInput {
  sections: Array<{ id: string; type: 'movie' | 'show' }>;
  reps: number;
}

export const naive = async (input: NaiveInput): Promise<Record<string, number[]>> => {
  const out: Record<string, number[]> = {};
  for (const { id, type } of input.sections) {
    out[type] = [];
    for (let i = 0; i < input.reps; i++) {
      const t0 = performance.now();
      await naiveRequest(id, type);
      out[type].push(performance.now() - t0);
    }
  }
  return out;
};
