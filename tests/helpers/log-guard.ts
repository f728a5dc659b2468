import { inspect } from 'node:util';

/**
 * Captures every log line of a test file (the Powertools logger writes through
 * the global console in dev mode, see env.ts) and fails the file if any secret
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

beforeAll(() => {
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
  const text = capturedLogs();
  const envSecrets = [process.env.JWT_SECRET, process.env.SETTINGS_ENCRYPTION_KEY].filter((v): v is string => !!v);
  const leaked = [...state.secrets, ...envSecrets].filter((secret) => text.includes(secret));
  state.lines.length = 0;
  state.secrets.clear();
  if (leaked.length) throw new Error(`A secret appeared in the logs of this test file (${leaked.length} value(s)); run with PLM_TEST_SHOW_LOGS=1`);
});
