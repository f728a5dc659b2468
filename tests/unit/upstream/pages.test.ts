import { offsetPages, orderedPages } from '../../../lib/upstream/pages';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('orderedPages', () => {
  it('yields in order even when later pages finish first, with bounded look-ahead', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const out: number[] = [];
    const pages = orderedPages(
      10,
      async (i) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await delay(i % 2 ? 1 : 15); // odd pages are faster
        inFlight--;
        return i;
      },
      { lookAhead: 3 },
    );
    for await (const p of pages) out.push(p);
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('never buffers more than look-ahead pages while the consumer is slow', async () => {
    let started = 0;
    let consumed = 0;
    let maxAhead = 0;
    for await (const _ of orderedPages(
      20,
      async (i) => {
        started++;
        return i;
      },
      { lookAhead: 2 },
    )) {
      consumed++;
      await delay(2);
      maxAhead = Math.max(maxAhead, started - consumed);
    }
    expect(consumed).toBe(20);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('aborts pages in flight when the consumer stops early', async () => {
    const aborted: number[] = [];
    const pages = orderedPages(
      10,
      (i, signal) =>
        new Promise<number>((resolve, reject) => {
          if (i === 0) return resolve(0);
          signal.addEventListener('abort', () => {
            aborted.push(i);
            reject(signal.reason);
          });
        }),
      { lookAhead: 3 },
    );
    for await (const p of pages) {
      expect(p).toBe(0);
      break;
    }
    expect(aborted.sort()).toEqual([1, 2, 3]);
  });

  it('propagates a page failure instead of ending quietly', async () => {
    const pages = orderedPages(
      5,
      async (i) => {
        if (i === 2) throw new Error('page 2 failed');
        return i;
      },
      { lookAhead: 4 },
    );
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of pages) seen.push(p);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([0, 1]);
  });
});

describe('offsetPages', () => {
  it('yields the first page then fetches the rest by offset', async () => {
    const starts: number[] = [];
    const all: number[] = [];
    const pages = offsetPages(
      { rows: [0, 1, 2], total: 10 },
      3,
      async (start) => {
        starts.push(start);
        return Array.from({ length: Math.min(3, 10 - start) }, (_, k) => start + k);
      },
      { concurrency: 2 },
    );
    for await (const p of pages) all.push(...p);
    expect(all).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(starts).toEqual([3, 6, 9]);
  });
});
