/**
 * `npm start` serving a 100k-item demo library (50k movies, 50k episodes),
 * as a new user would run it: start-up time, the first request on the
 * unbuilt movie and show libraries, time until each answers, warm latency
 * through serverless-offline at concurrency 1/10/50, and the peak RSS of
 * every process of the tree (sampled from /proc), at start-up and while serving.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../../dev/ports';
import { stopProcessGroup, waitUntilHealthy } from '../../dev/process-group';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, type LoadStats } from '../lib/load';

const ROOT = join(__dirname, '..', '..');

/** What a process of the tree is, from its command line (esbuild: by who started it). */
const roleOf = (cmd: string, parentRole: () => string): string => {
  if ((cmd.split(' ')[0] ?? '').endsWith('/esbuild')) return `esbuild (${parentRole()})`;
  if (cmd.includes('server.mjs')) return 'embedded store';
  if (cmd.includes('serverless')) return 'serverless-offline';
  if (cmd.includes('scripts/start.ts') && !cmd.includes('tsx/dist/cli')) return 'start.ts + demo fakes';
  return 'tsx launcher';
};

/** RSS (MB) of every descendant of `root`, by pid, read from /proc. */
const treeRss = (root: number): Map<number, { role: string; rssMb: number }> => {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parent.get(p) ?? 0, hops++) if (p === root) return true;
    return false;
  };
  const cmdOf = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return '';
    }
  };
  const role = (pid: number): string => roleOf(cmdOf(pid), () => role(parent.get(pid) ?? 0));
  const out = new Map<number, { role: string; rssMb: number }>();
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (rss) out.set(pid, { role: role(pid), rssMb: Number(rss) / 1024 });
    } catch {
      // gone
    }
  }
  return out;
};

/** Largest RSS seen per role while sampling. */
class RssWatch {
  readonly peaks = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly root: number) {}
  start(): this {
    this.timer = setInterval(() => {
      for (const { role, rssMb } of treeRss(this.root).values())
        this.peaks.set(role, Math.max(this.peaks.get(role) ?? 0, rssMb));
    }, 100);
    return this;
  }
  stop(): Record<string, number> {
    clearInterval(this.timer);
    return Object.fromEntries([...this.peaks].map(([k, v]) => [k, Math.round(v)]));
  }
}

export interface FirstAnswer {
  status: number;
  ms: number;
  /** The body was a real answer (a JSON array or a 202 progress document), not a timeout page. */
  body: string;
  answerableMs: number | null;
}

export interface NpmStartReport {
  items: number;
  startupMs: number;
  startupPeaksMb: Record<string, number>;
  servingPeaksMb: Record<string, number>;
  first: Record<string, FirstAnswer>;
  http: LoadStats[];
}

const ANSWER_CAP_MS = 180_000;

/** The first request on an unbuilt library, then requests until it answers (capped). */
const firstAnswer = async (url: string, token: string): Promise<FirstAnswer> => {
  const get = async () => {
    const t = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    return { status: res.status, ms: performance.now() - t, body, ready: res.status === 200 && body.startsWith('[') };
  };
  const t0 = performance.now();
  const first = await get();
  let ready = first.ready;
  while (!ready && performance.now() - t0 < ANSWER_CAP_MS) {
    await new Promise((r) => setTimeout(r, 250));
    ready = (await get()).ready;
  }
  return {
    status: first.status,
    ms: first.ms,
    body: first.body.slice(0, 160),
    answerableMs: ready ? performance.now() - t0 : null,
  };
};

export const measureNpmStart = async (opts: {
  httpSeconds: number;
  log: (s: string) => void;
}): Promise<NpmStartReport> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'plm-bench-start-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PLM_LAMBDA_PORT: String(await freePort()),
    PLM_DATA_DIR: dataDir,
    PLM_DEMO_MOVIES: '50000',
    PLM_DEMO_EPISODES: '50000',
    PLM_WARMER_ENABLED: 'false',
    NODE_ENV: 'development',
  };
  for (const k of ['MONGODB_URI', 'MONGODB_DB', 'PLEX_URL', 'TAUTULLI_URL', 'JWT_SECRET', 'SETTINGS_ENCRYPTION_KEY'])
    delete env[k];
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const pid = child.pid!;
  const startup = new RssWatch(pid).start();
  const serving = new RssWatch(pid);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(base, child, { name: 'npm start', timeoutMs: 240_000, intervalMs: 250 });
    const startupMs = performance.now() - t0;
    const startupPeaksMb = startup.stop();
    opts.log(`  npm start up in ${Math.round(startupMs)} ms`);
    serving.start();
    const login = await fetch(`${base}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo', password: 'demo-password' }),
    });
    const { token } = (await login.json()) as { token: string };
    const first: Record<string, FirstAnswer> = {};
    for (const [type, id] of [
      ['movie', '1'],
      ['show', '2'],
    ] as const) {
      first[type] = await firstAnswer(`${base}/api/library/${id}/unused?limit=3`, token);
      opts.log(
        `  npm start ${type}: first ${first[type].status} in ${Math.round(first[type].ms)} ms, answerable after ${first[type].answerableMs === null ? 'never' : Math.round(first[type].answerableMs)} ms`,
      );
    }
    const http: LoadStats[] = [];
    if (first.movie?.answerableMs !== null)
      for (const c of [1, 10, 50])
        http.push(await load(`${base}/api/library/1/unused?limit=100`, token, c, opts.httpSeconds));
    return { items: 100_000, startupMs, startupPeaksMb, servingPeaksMb: serving.stop(), first, http };
  } finally {
    startup.stop();
    serving.stop();
    await stopProcessGroup(pid);
    rmSync(dataDir, { recursive: true, force: true });
  }
};
