/**
 * Captures everything written to stdout/stderr and the console while `fn`
 * runs, with the logger at DEBUG so every upstream log line is produced.
 */
import { logger } from '../../../lib/logger';

export const captureOutput = async <T>(fn: () => Promise<T>): Promise<{ result: T; output: string }> => {
  const chunks: string[] = [];
  const grab = (chunk: unknown) => chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
  const out = process.stdout.write;
  const err = process.stderr.write;
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const saved = methods.map((m) => console[m]);
  const level = logger.getLevelName();
  process.stdout.write = ((chunk: unknown) => (grab(chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown) => (grab(chunk), true)) as typeof process.stderr.write;
  for (const m of methods) console[m] = (...args: unknown[]) => void grab(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  logger.setLogLevel('DEBUG');
  try {
    const result = await fn();
    return { result, output: chunks.join('') };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    methods.forEach((m, i) => (console[m] = saved[i] as (typeof console)[typeof m]));
    logger.setLogLevel(level);
  }
};

/** Runs fn and returns what it threw (fails if it did not throw). */
export const caught = async (fn: () => Promise<unknown>): Promise<unknown> => {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
};

/** Drains an async iterable of pages into one array. */
export const drain = async <T>(pages: AsyncIterable<T[]>): Promise<T[]> => {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
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
