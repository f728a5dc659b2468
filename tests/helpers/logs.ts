import { inspect } from 'node:util';

/**
 * Captures every log line of a test file (stdout, stderr and the console; the
 * Powertools logger writes to stdout) and fails the file if any secret
 * the tests registered — or the env secrets — appears in it.
 * Set PLM_TEST_SHOW_LOGS=1 to also print the logs.
 */
interface LogGuardState {
  lines: string[];
  secrets: Set<string>;
}

const state = ((globalThis as { __plmLogGuard?: LogGuardState }).__plmLogGuard ??= { lines: [], secrets: new Set() });

/** Declares a value that must never appear in any log output. */
export const registerSecret = (...values: string[]): void => {
  for (const v of values) if (v && v.length >= 6) state.secrets.add(v);
};

/** Everything logged so far in this test file. */
export const capturedLogs = (): string => state.lines.join('\n');

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const originals = Object.fromEntries(METHODS.map((m) => [m, console[m]])) as Record<(typeof METHODS)[number], (...args: unknown[]) => void>;

const streams = [process.stdout, process.stderr] as const;
const originalWrites = streams.map((s) => s.write);

beforeAll(() => {
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      state.lines.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      if (process.env.PLM_TEST_SHOW_LOGS) return (originalWrites[i] as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    }) as typeof stream.write;
  });
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      const line = args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 6 }))).join(' ');
      state.lines.push(line);
      if (process.env.PLM_TEST_SHOW_LOGS) originals[method](...args);
    };
  }
});

afterAll(() => {
  for (const method of METHODS) console[method] = originals[method];
  streams.forEach((stream, i) => (stream.write = originalWrites[i] as typeof stream.write));
  const text = capturedLogs();
  const envSecrets = [process.env.JWT_SECRET, process.env.SETTINGS_ENCRYPTION_KEY].filter((v): v is string => !!v);
  const leaked = [...state.secrets, ...envSecrets].filter((secret) => text.includes(secret));
  state.lines.length = 0;
  state.secrets.clear();
  if (leaked.length) throw new Error(`A secret appeared in the logs of this test file (${leaked.length} value(s)); run with PLM_TEST_SHOW_LOGS=1`);
});
