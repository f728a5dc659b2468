/**
 * Servers that tests and benchmarks start as the leader of their own process
 * group (`spawn(…, { detached: true })`): `npm start` is a launcher, its store,
 * serverless-offline and esbuild; `npm run serve` is one process.
 */
import type { ChildProcess } from 'node:child_process';

/** Polls `${base}/api/health` until it answers 200; fails when the child exits or time runs out. */
export const waitUntilHealthy = async (
  base: string,
  child: ChildProcess,
  opts: { name: string; timeoutMs: number; intervalMs?: number; output?: () => string },
): Promise<void> => {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const ok = await fetch(`${base}/api/health`).then(
      (res) => res.status === 200,
      () => false, // not listening yet
    );
    if (ok) return;
    if (child.exitCode !== null || Date.now() > deadline) {
      const why = child.exitCode !== null ? `exited with ${child.exitCode}` : `did not come up in ${opts.timeoutMs} ms`;
      throw new Error(`${opts.name} ${why}:\n${opts.output?.() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
};

/** Whether any process of the group still exists. */
const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * SIGTERM to the whole group, then waits until every process of it is gone (a
 * launcher exits before the processes it started do), SIGKILL after `graceMs`.
 * Nothing measured or started next shares the machine with a server still stopping.
 */
export const stopProcessGroup = async (pgid: number | undefined, graceMs = 15_000): Promise<void> => {
  if (!pgid || !groupAlive(pgid)) return;
  process.kill(-pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
};
