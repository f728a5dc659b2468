/**
 * The floor: the very requests a cold build made (taken from the fakes'
 * request logs), fetched again with the same concurrency per upstream and
 * JSON.parse'd — nothing else. No build of those bytes can be faster.
 */
import { getConfig } from '../../lib/config';
import { peakRssMb } from '../lib/child-io';

export interface ReplayRequest {
  upstream: 'plex' | 'tautulli';
  path: string;
  query: Record<string, string>;
}

export interface FloorInput {
  groups: Record<string, ReplayRequest[]>;
}

export interface FloorResult {
  groups: Record<string, { ms: number; requests: number; bytes: number }>;
  /** The replay's own peak RSS (fetch and JSON.parse alone), for comparison with the build's. */
  peakRssMb: number;
}

const urlOf = (r: ReplayRequest): URL => {
  const env = process.env;
  const url = new URL((r.upstream === 'plex' ? env.PLEX_URL! : env.TAUTULLI_URL!) + r.path);
  for (const [k, v] of Object.entries(r.query)) url.searchParams.set(k, v);
  if (r.upstream === 'tautulli') url.searchParams.set('apikey', env.TAUTULLI_API_KEY!);
  return url;
};

/** Fetches and parses `requests` with `concurrency` in flight; returns the bytes read. */
const pool = async (requests: ReplayRequest[], concurrency: number): Promise<number> => {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    for (let i = next++; i < requests.length; i = next++) {
      const r = requests[i]!;
      const res = await fetch(urlOf(r), {
        headers: {
          Accept: 'application/json',
          ...(r.upstream === 'plex' ? { 'X-Plex-Token': process.env.PLEX_TOKEN! } : {}),
        },
      });
      const text = await res.text();
      bytes += text.length;
      JSON.parse(text);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bytes;
};

export const floor = async (input: FloorInput): Promise<FloorResult> => {
  const concurrency = getConfig().UPSTREAM_CONCURRENCY;
  const groups: FloorResult['groups'] = {};
  for (const [name, requests] of Object.entries(input.groups)) {
    const t0 = performance.now();
    const [plexBytes, tautulliBytes] = await Promise.all([
      pool(
        requests.filter((r) => r.upstream === 'plex'),
        concurrency,
      ),
      pool(
        requests.filter((r) => r.upstream === 'tautulli'),
        concurrency,
      ),
    ]);
    groups[name] = { ms: performance.now() - t0, requests: requests.length, bytes: plexBytes + tautulliBytes };
  }
  return { groups, peakRssMb: peakRssMb() };
};
