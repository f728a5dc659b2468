/**
 * Warm `GET /api/library/{id}/unused?limit=100` in-process: the real Middy
 * handler invoked as API Gateway would, after one request made the snapshot
 * warm. Sequential requests (concurrency 1).
 */
import { percentile, median } from '../lib/stats';
import { installBenchService, sleep } from './service';

export interface WarmInput {
  sections: Array<{ id: string; type: string }>;
  n: number;
}

export interface WarmStats {
  medianMs: number;
  p99Ms: number;
  rps: number;
  n: number;
}

/** Asks until the library answers 200 (a first request may be answered 202 while it builds). */
export const untilReady = async (call: () => Promise<{ statusCode: number; headers: Record<string, string> }>) => {
  for (let i = 0; i < 600; i++) {
    const r = await call();
    if (r.statusCode === 200) return r;
    if (r.statusCode !== 202) throw new Error(`unexpected status ${r.statusCode}`);
    await sleep(Math.min(1000, Number(r.headers['retry-after'] ?? 1) * 1000));
  }
  throw new Error('library never became ready');
};

export const warm = async (input: WarmInput): Promise<Record<string, WarmStats>> => {
  const { handler } = await import('../../functions/unused');
  const { invoke } = await import('../../dev/lambda');
  const { createUserAndLogin } = await import('../../dev/users');
  const { closeDb } = await import('../../lib/db/client');
  installBenchService();
  const { token } = await createUserAndLogin();
  const out: Record<string, WarmStats> = {};
  for (const { id, type } of input.sections) {
    const call = () =>
      invoke(handler, {
        path: `/api/library/${id}/unused`,
        routeKey: 'GET /api/library/{id}/unused',
        pathParameters: { id },
        query: { limit: '100' },
        token,
      });
    await untilReady(call);
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < input.n; i++) {
      const t = performance.now();
      const r = await call();
      times.push(performance.now() - t);
      if (r.headers['x-cache'] !== 'hit') throw new Error(`expected a cache hit, got ${r.headers['x-cache']}`);
    }
    const wall = performance.now() - t0;
    out[type] = { medianMs: median(times), p99Ms: percentile(times, 99), rps: (input.n / wall) * 1000, n: input.n };
  }
  await closeDb();
  return out;
};
