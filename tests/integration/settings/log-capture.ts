import { logger } from '../../../lib/logger';

/**
 * Captures everything a test file writes (stdout, stderr, console), with the
 * logger at DEBUG so every log line the code could emit is actually produced.
 */
export const captureLogs = (): { text: () => string } => {
  const chunks: string[] = [];
  const restorers: Array<() => void> = [];
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
        chunks.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      });
      restorers.push(() => spy.mockRestore());
    }
    logger.setLogLevel('DEBUG');
  });
  afterAll(() => {
    logger.setLogLevel('WARN');
    for (const restore of restorers) restore();
  });
  return { text: () => chunks.join('\n') };
};
