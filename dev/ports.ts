import { createServer } from 'node:net';

/**
 * A loopback TCP port free at the moment of asking (the OS picks it, the probe lets it go).
 * Another process may take it before the caller listens; the callers start their servers at once.
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
