/**
 * Every measurement runs in a fresh Node process, so its time, peak RSS and
 * module state are its own. The child runs plain JavaScript bundled once by
 * esbuild (as in production: no TypeScript loader in its memory or profile).
 * The parent and the child talk over IPC: the child sends marks (the parent
 * acts, e.g. notes where the fake's request log stands, then acknowledges)
 * and finally its result.
 *
 * BENCH_CPU_PROF=<dir> runs every child under `node --cpu-prof` into <dir>.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

export type TaskName = 'build' | 'floor' | 'naive' | 'warm' | 'first-request' | 'http-server';

export type ToParent =
  | { kind: 'mark'; name: string; data?: unknown }
  | { kind: 'result'; data: unknown }
  | { kind: 'error'; message: string };
export type ToChild = { kind: 'start'; task: TaskName; input: unknown } | { kind: 'ack' } | { kind: 'stop' };

export interface RunningTask<R> {
  result: Promise<R>;
  /** Asks a long-running task (the HTTP server) to finish and report. */
  stop(): void;
}

let bundled: string | undefined;

/** child-main.ts and everything it imports, as one CommonJS file (built on first use). */
const childScript = (): string => {
  if (bundled) return bundled;
  const out = join(mkdtempSync(join(tmpdir(), 'plm-bench-')), 'child.js');
  buildSync({
    entryPoints: [join(__dirname, 'child-main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    keepNames: true,
    logLevel: 'error',
    // The driver's optional native add-ons are never used (as in serverless.yml).
    external: [
      'kerberos',
      '@mongodb-js/zstd',
      '@aws-sdk/*',
      'gcp-metadata',
      'snappy',
      'socks',
      'aws4',
      'mongodb-client-encryption',
    ],
  });
  bundled = out;
  return out;
};

/** BENCH_CPU_PROF profiles every child; BENCH_NODE_FLAGS passes V8/Node flags (experiments only, never in npm run bench). */
const profileArgs = (): string[] => {
  const dir = process.env.BENCH_CPU_PROF;
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  return [...(dir ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), ...flags];
};

export const startTask = <R>(
  task: TaskName,
  input: unknown,
  env: Record<string, string>,
  onMark: (name: string, data: unknown) => void | Promise<void> = () => undefined,
): RunningTask<R> => {
  const child: ChildProcess = fork(childScript(), [], {
    execArgv: profileArgs(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (m: ToChild) => child.send(m);
  // Settled once the child has exited (a --cpu-prof child writes its profile on exit).
  const result = new Promise<R>((resolve, reject) => {
    let outcome: { data: R } | { error: Error } | undefined;
    child.on('message', (raw) => {
      const m = raw as ToParent;
      if (m.kind === 'mark')
        void Promise.resolve(onMark(m.name, m.data)).then(
          () => send({ kind: 'ack' }),
          (e: unknown) => reject(e),
        );
      else if (m.kind === 'result') outcome = { data: m.data as R };
      else outcome = { error: new Error(`${task}: ${m.message}`) };
    });
    child.once('exit', (code) => {
      if (!outcome) reject(new Error(`${task} exited with ${code} before reporting`));
      else if ('error' in outcome) reject(outcome.error);
      else resolve(outcome.data);
    });
    child.once('error', reject);
  });
  send({ kind: 'start', task, input });
  return { result, stop: () => send({ kind: 'stop' }) };
};

export const runTask = <R>(
  task: TaskName,
  input: unknown,
  env: Record<string, string>,
  onMark?: (name: string, data: unknown) => void | Promise<void>,
): Promise<R> => startTask<R>(task, input, env, onMark).result;
