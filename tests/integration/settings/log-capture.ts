import { logger } from '../../../lib/logger';

/**
 * Captures everything a test file writes (stdout, stderr, console) AND every
 * call made to the logger, whatever its level: the log level of tests (WARN)
 * hides INFO/DEBUG lines, and a secret handed to the logger is a leak waiting
 * for a production log level, even if redaction or the level would hide it.
 */
export const captureLogs = (): { text: () => string } => {
  const chunks: string[] = [];
  const restorers: Array<() => void> = [];
  const serialise = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v)))).join(' ');
  beforeAll(() => {
    for (const stream of [process.stdout, process.stderr]) {
      const spy = jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return true;
      });
      restorers.push(() => spy.mockRestore());
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        chunks.push(serialise(args));
      });
      restorers.push(() => spy.mockRestore());
    }
    for (const method of ['debug', 'info', 'warn', 'error', 'critical'] as const) {
      const original = logger[method].bind(logger) as (...args: unknown[]) => void;
      const spy = jest.spyOn(logger, method).mockImplementation(((...args: unknown[]) => {
        chunks.push(serialise(args));
        original(...args);
      }) as never);
      restorers.push(() => spy.mockRestore());
    }
  });
  afterAll(() => {
    for (const restore of restorers) restore();
  });
  return { text: () => chunks.join('\n') };
};
