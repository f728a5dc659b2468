import { logger } from '../logger';

/**
 * The scheduled warmer, in-process: serverless.yml runs warmCache every 15
 * minutes in AWS; the self-hosted server runs the same handler on start and at
 * the same rate, one run at a time (a run still going when the next is due
 * makes that one skip).
 */
export const WARM_EVERY_MINUTES = 15;

export interface WarmSchedule {
  /** Stops scheduling; resolves when a run in progress has ended. */
  stop(): Promise<void>;
}

export const startWarmSchedule = (run: () => Promise<unknown>, everyMs = WARM_EVERY_MINUTES * 60_000): WarmSchedule => {
  let running: Promise<void> | undefined;
  const tick = (): void => {
    if (running) {
      logger.warn('cache warmer still running; skipping this run');
      return;
    }
    running = run()
      .then(() => undefined)
      .catch((error: unknown) => logger.error('cache warmer failed', { error }))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, everyMs);
  // The schedule alone must not keep the process alive (the HTTP server does).
  timer.unref();
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
};
