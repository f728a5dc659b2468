/**
 * Cold build: one fresh process refreshes the movie library, then the show
 * library, into an empty database (what the first request or the warmer
 * does). Marks tell the parent where each build starts and ends, so it can
 * hand the floor exactly the requests each build made.
 */
import type { TaskIo } from '../lib/child-io';
import { peakRssMb } from '../lib/child-io';
import { installBenchService } from './service';

export interface BuildInput {
  sectionIds: string[];
}

export interface BuildResult {
  /** Per section type: wall time of the refresh, items, and the build's own stage timings if it reports them. */
  builds: Record<string, { ms: number; items: number; stages?: Record<string, number> }>;
  rssBeforeMb: number;
  peakRssMb: number;
}

export const build = async (input: BuildInput, io: TaskIo): Promise<BuildResult> => {
  const { closeDb } = await import('../../lib/db/client');
  const service = installBenchService();
  const ctx = await service.userContext('bench');
  const rssBeforeMb = Math.round(process.memoryUsage().rss / 1048576);
  const builds: BuildResult['builds'] = {};
  const trace: string[] = [];
  let peak = { rss: 0, heap: 0, ext: 0 };
  const sampler = process.env.BENCH_MEM_TRACE
    ? setInterval(() => {
        const m = process.memoryUsage();
        peak = {
          rss: Math.max(peak.rss, m.rss),
          heap: Math.max(peak.heap, m.heapUsed),
          ext: Math.max(peak.ext, m.arrayBuffers),
        };
      }, 5)
    : undefined;
  for (const id of input.sectionIds) {
    const section = ctx.access.sections.find((s) => s.id === id);
    if (!section) throw new Error(`no section ${id}`);
    await io.mark('build-start', section.type);
    const t0 = performance.now();
    const snapshot = await service.refresh(ctx, section);
    const ms = performance.now() - t0;
    await io.mark('build-end', section.type);
    if (sampler) {
      trace.push(
        `${section.type}: peak rss ${Math.round(peak.rss / 1048576)} heap ${Math.round(peak.heap / 1048576)} arrayBuffers ${Math.round(peak.ext / 1048576)}`,
      );
      peak = { rss: 0, heap: 0, ext: 0 };
    }
    // Older plm versions have no stage timings (bench runs against them too).
    const stages = (snapshot as { buildStages?: Record<string, number> }).buildStages;
    builds[section.type] = { ms, items: snapshot.meta.itemCount, ...(stages ? { stages } : {}) };
  }
  if (sampler) {
    clearInterval(sampler);
    console.error(trace.join('\n'));
  }
  const peakMb = peakRssMb();
  await closeDb();
  return { builds, rssBeforeMb, peakRssMb: peakMb };
};
