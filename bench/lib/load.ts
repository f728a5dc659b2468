/** HTTP load with autocannon: latency and throughput at a given concurrency. */
import autocannon from 'autocannon';

export interface LoadStats {
  connections: number;
  p50Ms: number;
  p99Ms: number;
  rps: number;
  requests: number;
  failures: number;
}

export const load = async (url: string, token: string, connections: number, seconds: number): Promise<LoadStats> => {
  const r = await autocannon({ url, connections, duration: seconds, headers: { authorization: `Bearer ${token}` } });
  return {
    connections,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    rps: r.requests.average,
    requests: r.requests.total,
    failures: r.non2xx + r.errors + r.timeouts,
  };
};

/** GETs `url` until it answers 200 (a first request may be answered 202 while the library builds). */
export const waitReady = async (url: string, token: string, timeoutMs = 300_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status === 200) return;
    if (res.status !== 202 || Date.now() > deadline) throw new Error(`${url} answered ${res.status}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};
