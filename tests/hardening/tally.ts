import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * The hardening suite's tally: every check a hardening test makes is counted
 * here under a category and an area, and summary-table.js prints the table
 * (inputs fuzzed, attacks tried, faults injected, requests under load, secrets
 * scanned, and the failures of each) when the run ends. The file path comes
 * from the reporter through PLM_HARDENING_TALLY; without it nothing is written.
 */
export type Category = 'fuzz' | 'attack' | 'fault' | 'load' | 'secret';

export interface TallyRow {
  category: Category;
  area: string;
  count: number;
  failures: number;
  /** figures worth reading in the table (rates, ratios, limits) */
  detail?: string;
}

export const record = (row: TallyRow): void => {
  const file = process.env.PLM_HARDENING_TALLY;
  if (!file) return;
  const { testPath, currentTestName } = expect.getState();
  const where = { file: testPath ? relative(process.cwd(), testPath) : '', test: currentTestName ?? '' };
  appendFileSync(file, `${JSON.stringify({ ...row, ...where })}\n`);
};

/**
 * Checks of one area: each is counted, failures are collected (not thrown) so
 * the table shows how many failed; `done()` records the row and then fails the
 * test if any check failed, listing the first failures.
 */
export class Checks {
  private count = 0;
  private readonly failed: string[] = [];
  private readonly details: string[] = [];

  constructor(
    private readonly category: Category,
    private readonly area: string,
  ) {}

  check(name: string, ok: boolean, why = ''): boolean {
    this.count++;
    if (!ok) this.failed.push(why ? `${name}: ${why}` : name);
    return ok;
  }

  get size(): number {
    return this.count;
  }

  /** A figure for the table (e.g. "p99 120 ms"). */
  note(text: string): void {
    this.details.push(text);
  }

  /** Records the row; `count` replaces the number of checks when the unit is another (faults injected, requests). */
  done(count = this.count): void {
    record({
      category: this.category,
      area: this.area,
      count,
      failures: this.failed.length,
      detail: this.details.join('; ') || undefined,
    });
    expect(this.failed.slice(0, 20)).toEqual([]);
  }
}

/** `PLM_HARDENING=full` (npm run test:hardening) runs the long versions: ≥ 10,000 fuzz cases and more. */
export const FULL = process.env.PLM_HARDENING === 'full';

export const scaled = (fast: number, full: number): number => (FULL ? full : fast);
