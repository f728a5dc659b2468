import { inspect } from 'node:util';
import { logger } from '../../lib/logger';

/**
 * The one log capture of the tests. Loaded by jest (setupFilesAfterEnv) in
 * every test file: it captures every log line of the file (stdout, stderr and
 * the console; the Powertools logger writes to stdout) and fails the file if
 * any secret the tests registered — or the env secrets — appears in it.
 * Set PLM_TEST_SHOW_LOGS=1 to also print the logs.
 */
interface LogGuardState {
  lines: string[];
  secrets: Set<string>;
  installed: boolean;
}

const holder = globalThis as { __plmLogGuard?: LogGuardState };
holder.__plmLogGuard ??= { lines: [], secrets: new Set(), installed: false };
const state: LogGuardState = holder.__plmLogGuard;

/** Declares a value that must never appear in any log output. */
export const registerSecret = (...values: string[]): void => {
  for (const v of values) if (v && v.length >= 6) state.secrets.add(v);
};

/** Everything logged so far in this test file. */
export const capturedLogs = (): string => state.lines.join('\n');

/** Errors keep their message and stack, which JSON.stringify would drop. */
const errorReplacer = (_key: string, value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

const serialise = (args: unknown[]): string =>
  args
    .map((a) => {
      if (typeof a === 'string') return a;
      try {
        return JSON.stringify(a, errorReplacer) ?? String(a);
      } catch {
        return inspect(a, { depth: 6 }); // circular or BigInt
      }
    })
    .join(' ');

/**
 * Runs fn with the logger at DEBUG, so every log line is produced, and returns
 * what was logged meanwhile (the guard still checks it for secrets).
 */
export const captureOutput = async <T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> => {
  const from = state.lines.length;
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  try {
    const result = await fn();
    return { result, output: state.lines.slice(from).join('\n') };
  } finally {
    logger.setLogLevel(level);
  }
};

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error', 'critical'] as const;

/**
 * For this test file, also records the raw arguments of every logger call,
 * whatever the level: a secret handed to the logger is a leak waiting for a
 * production log level, even if redaction or the level would hide it.
 */
export const recordLoggerCalls = (): void => {
  const originals = LOGGER_METHODS.map((m) => logger[m]);
  beforeAll(() => {
    LOGGER_METHODS.forEach((method, i) => {
      const original = originals[i]!.bind(logger) as (...args: unknown[]) => void;
      logger[method] = ((...args: unknown[]) => {
        state.lines.push(serialise(args));
        original(...args);
      }) as (typeof logger)[typeof method];
    });
  });
  afterAll(() => {
    LOGGER_METHODS.forEach((method, i) => {
      logger[method] = originals[i] as (typeof logger)[typeof method];
    });
  });
};

/** Keeps the expected warnings of fault tests out of the jest output (captureOutput still sees everything). */
export const quietLogs = (): void => {
  let level = 'WARN';
  beforeAll(() => {
    level = logger.getLevelName();
    logger.setLogLevel('ERROR');
  });
  afterAll(() => logger.setLogLevel(level as 'WARN'));
};

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
const streams = [process.stdout, process.stderr] as const;

const installLogGuard = (): void => {
  const consoleOriginals = Object.fromEntries(CONSOLE_METHODS.map((m) => [m, console[m]])) as Record<
    (typeof CONSOLE_METHODS)[number],
    (...args: unknown[]) => void
  >;
  const originalWrites = streams.map((s) => s.write);

  beforeAll(() => {
    streams.forEach((stream, i) => {
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        state.lines.push(
          typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk),
        );
        if (process.env.PLM_TEST_SHOW_LOGS)
          return (originalWrites[i] as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
        const callback = rest.find((r): r is () => void => typeof r === 'function');
        callback?.();
        return true;
      }) as typeof stream.write;
    });
    for (const method of CONSOLE_METHODS) {
      console[method] = (...args: unknown[]) => {
        state.lines.push(serialise(args));
        if (process.env.PLM_TEST_SHOW_LOGS) consoleOriginals[method](...args);
      };
    }
  });

  afterAll(() => {
    for (const method of CONSOLE_METHODS) console[method] = consoleOriginals[method];
    streams.forEach((stream, i) => {
      stream.write = originalWrites[i] as typeof stream.write;
    });
    const text = capturedLogs();
    const envSecrets = [process.env.JWT_SECRET, process.env.SETTINGS_ENCRYPTION_KEY].filter((v): v is string => !!v);
    const leaked = [...state.secrets, ...envSecrets].filter((secret) => text.includes(secret));
    state.lines.length = 0;
    state.secrets.clear();
    if (leaked.length)
      throw new Error(
        `A secret appeared in the logs of this test file (${leaked.length} value(s)); run with PLM_TEST_SHOW_LOGS=1`,
      );
  });
};

// Tests import this module too; the hooks must be registered once per file.
if (!state.installed) {
  state.installed = true;
  installLogGuard();
}
