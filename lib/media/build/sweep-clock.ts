/** Where a sweep is: rows read against rows announced (published by the lease heartbeat), and when each part finished. */
import type { BuildProgress } from '../store/leases';

export class SweepClock {
  readonly stages: Record<string, number> = {};
  private readonly started = performance.now();

  constructor(readonly progress: BuildProgress) {}

  /** A listing announced `n` rows. */
  expect = (n: number): void => {
    this.progress.itemsExpected = (this.progress.itemsExpected ?? 0) + n;
  };

  read(n: number): void {
    this.progress.itemsRead += n;
  }

  done(stage: string): void {
    this.stages[stage] = Math.round(performance.now() - this.started);
  }

  get elapsedMs(): number {
    return Math.round(performance.now() - this.started);
  }
}
