/**
 * The scheduled warmer: refreshes every judged library of every configured
 * Plex server so requests are answered from cache. "Configured" = the env
 * defaults plus every user's effective settings (through the settings
 * contract), de-duplicated by Plex URL + token + Tautulli (one owner token
 * can serve several servers). Libraries are refreshed with bounded
 * concurrency; a failing server or library is logged and counted, never
 * allowed to stop the others.
 *
 * Time: the function's timeout equals its schedule (15 min), so when the
 * Lambda's remaining time drops under `reserveMs`, no NEW library is started;
 * the ones not started are reported (`deferred`). Each server's libraries run
 * stalest first, so the next run starts with them.
 *
 * A token that is not the server owner's, without Tautulli, is skipped: its
 * libraries cannot be judged (the API answers 409 PLEX_NOT_OWNER).
 */
import pLimit from 'p-limit';
import { listUsers } from '../auth/users';
import { getConfig } from '../config';
import { logger } from '../logger';
import { resolveUserSettings, type ResolvedSettings } from '../settings/resolve';
import { upstreamsKeyOf, type PlexCredentials, type SectionInfo, type TautulliCredentials } from './access';
import type { LibraryService } from './service';
import type { SnapshotStore } from './store/snapshot-store';
import type { ServerContext } from './user-context';
import { JUDGED_TYPES } from './types';
import { spendWarmContact } from './warm-budget';

export interface WarmOptions {
  /** Refresh even snapshots younger than minAgeMs. */
  force?: boolean;
  /** Skip libraries refreshed more recently than this (a request may just have done it). Default 10 min. */
  minAgeMs?: number;
  concurrency?: number;
  /** Where credentials come from; default env + all users. */
  credentials?: () => Promise<CredentialSet[]>;
  /** Milliseconds the invocation has left (Lambda's context.getRemainingTimeInMillis). */
  remainingTimeMs?: () => number;
  /** Start no new library with less time than this left. Default 2 minutes (a big library's sweep). */
  reserveMs?: number;
}

export interface CredentialSet {
  plex: PlexCredentials;
  tautulli: TautulliCredentials | null;
  /** Who uses it (for logs): "env" or user ids. */
  usedBy: string[];
}

export interface WarmReport {
  servers: number;
  serversFailed: number;
  /** Servers not warmed on purpose (a non-owner token without Tautulli, or its users' budgets spent). */
  serversSkipped: number;
  libraries: number;
  refreshed: number;
  skipped: number;
  /** Libraries not started because the invocation was running out of time. */
  deferred: Array<{ server: string; sectionId: string }>;
  /** Libraries not refreshed because their users' budgets of upstream contacts were spent. */
  overBudget: number;
  failed: number;
  items: number;
  bytes: number;
  durationMs: number;
  orphanChunksDeleted: number;
  errors: Array<{ server?: string; sectionId?: string; code: string; message: string }>;
}

const errorInfo = (e: unknown) => ({
  code:
    (e as { code?: unknown }).code && typeof (e as { code?: unknown }).code === 'string'
      ? String((e as { code: string }).code)
      : e instanceof Error
        ? e.name
        : 'ERROR',
  message: e instanceof Error ? e.message : String(e),
});

/** Env defaults + every user's effective upstreams, one entry per distinct credential scope. */
export const configuredCredentials = async (): Promise<CredentialSet[]> => {
  const sets = new Map<string, CredentialSet>();
  const add = (s: Pick<ResolvedSettings, 'plex' | 'tautulli'>, who: string) => {
    if (!s.plex) return;
    const key = upstreamsKeyOf(s.plex, s.tautulli);
    const existing = sets.get(key);
    if (existing) existing.usedBy.push(who);
    else sets.set(key, { plex: s.plex, tautulli: s.tautulli, usedBy: [who] });
  };
  const c = getConfig();
  add(
    {
      plex: c.PLEX_URL && c.PLEX_TOKEN ? { url: c.PLEX_URL, token: c.PLEX_TOKEN } : null,
      tautulli: c.TAUTULLI_URL && c.TAUTULLI_API_KEY ? { url: c.TAUTULLI_URL, apiKey: c.TAUTULLI_API_KEY } : null,
    },
    'env',
  );
  for (const user of await listUsers()) {
    const id = user._id.toHexString();
    try {
      add(await resolveUserSettings(id), id);
    } catch (e) {
      logger.warn("warmer: cannot read a user's settings; skipping them", { userId: id, error: e });
    }
  }
  return [...sets.values()];
};

/** What warming needs of the media service. */
export type WarmDeps = Pick<LibraryService, 'connectServer' | 'refresh' | 'now' | 'limitUpstream'>;

/** One run's shared state: its report, concurrency limit and clock checks. */
interface WarmRun {
  service: WarmDeps;
  store: SnapshotStore;
  report: WarmReport;
  limit: ReturnType<typeof pLimit>;
  outOfTime: () => boolean;
  minAgeMs: number;
}

const emptyReport = (): WarmReport => ({
  servers: 0,
  serversFailed: 0,
  serversSkipped: 0,
  libraries: 0,
  refreshed: 0,
  skipped: 0,
  deferred: [],
  overBudget: 0,
  failed: 0,
  items: 0,
  bytes: 0,
  durationMs: 0,
  orphanChunksDeleted: 0,
  errors: [],
});

export const warmAll = async (service: WarmDeps, store: SnapshotStore, opts: WarmOptions = {}): Promise<WarmReport> => {
  const started = performance.now();
  const report = emptyReport();
  const reserveMs = opts.reserveMs ?? 2 * 60_000;
  const run: WarmRun = {
    service,
    store,
    report,
    limit: pLimit(opts.concurrency ?? getConfig().WARMER_CONCURRENCY),
    outOfTime: () => opts.remainingTimeMs !== undefined && opts.remainingTimeMs() < reserveMs,
    minAgeMs: opts.force ? 0 : (opts.minAgeMs ?? 10 * 60_000),
  };
  const sets = await (opts.credentials ?? configuredCredentials)();
  await Promise.all(sets.map((set) => warmServer(run, set)));
  report.orphanChunksDeleted = await store.deleteOrphans().catch((e: unknown) => {
    logger.warn('warmer: orphan clean-up failed', { error: e });
    return 0;
  });
  report.durationMs = Math.round(performance.now() - started);
  if (report.deferred.length)
    logger.warn('warmer: ran out of time; libraries left for the next run', { deferred: report.deferred.length });
  logger.info('warmer finished', { ...report, errors: report.errors.length, deferred: report.deferred.length });
  return report;
};

/** Connects to one server and refreshes its judged libraries, stalest first. */
const warmServer = async (run: WarmRun, set: CredentialSet): Promise<void> => {
  const { report } = run;
  let ctx: ServerContext;
  try {
    if (!(await spendWarmContact(run.service, set.usedBy))) {
      report.serversSkipped++;
      return;
    }
    ctx = await run.service.connectServer(set);
    const { access } = ctx;
    if (access.plexDown) throw access.plexDown;
    if (access.ownership === 'not-owner' && !ctx.tautulli) {
      report.serversSkipped++;
      logger.warn("warmer: skipping a server whose token is not the owner's and has no Tautulli", {
        machineIdentifier: access.machineIdentifier,
        usedBy: set.usedBy.length,
      });
      return;
    }
    report.servers++;
  } catch (e) {
    report.serversFailed++;
    report.errors.push(errorInfo(e));
    logger.error('warmer: server failed', { usedBy: set.usedBy.length, error: e });
    return;
  }
  const server = ctx;
  // Stalest first (never-built libraries before all), so a run that runs out of time
  // defers the freshest libraries, not the same tail every time.
  const judged = await Promise.all(
    server.access.sections
      .filter((s) => JUDGED_TYPES.has(s.type))
      .map(async (section) => ({
        section,
        head: await run.store.readHead({
          machineIdentifier: server.access.machineIdentifier,
          sectionId: section.id,
          scope: server.scope,
        }),
      })),
  );
  judged.sort((a, b) => (a.head?.fetchedAt ?? 0) - (b.head?.fetchedAt ?? 0));
  await Promise.all(
    judged.map(({ section, head }) =>
      run.limit(() => warmLibrary(run, { ...server, usedBy: set.usedBy }, section, head?.fetchedAt ?? null)),
    ),
  );
};

const warmLibrary = async (
  run: WarmRun,
  ctx: ServerContext & Pick<CredentialSet, 'usedBy'>,
  section: SectionInfo,
  fetchedAt: number | null,
): Promise<void> => {
  const { report } = run;
  const server = ctx.access.machineIdentifier;
  if (run.outOfTime()) {
    report.deferred.push({ server, sectionId: section.id });
    return;
  }
  report.libraries++;
  if (fetchedAt !== null && run.service.now() - fetchedAt < run.minAgeMs) {
    report.skipped++;
    return;
  }
  try {
    if (!(await spendWarmContact(run.service, ctx.usedBy))) {
      report.overBudget++;
      return;
    }
    // The warmer answers no requests: what it builds is read from MongoDB where it is asked for.
    const snapshot = await run.service.refresh(ctx, section, { keep: false });
    report.refreshed++;
    report.items += snapshot.meta.itemCount;
    report.bytes += snapshot.meta.encodedBytes;
  } catch (e) {
    report.failed++;
    report.errors.push({ server, sectionId: section.id, ...errorInfo(e) });
    logger.error('warmer: library failed', { machineIdentifier: server, sectionId: section.id, error: e });
  }
};
