/**
 * The scheduled warmer: refreshes every judged library of every configured
 * Plex server so requests are answered from cache. "Configured" = the env
 * defaults plus every user's effective settings (through the settings
 * contract), de-duplicated by credential scope. Libraries are refreshed with
 * bounded concurrency; a failing server or library is logged and counted,
 * never allowed to stop the others.
 */
import pLimit from 'p-limit';
import { listUsers } from '../auth/users';
import { getConfig } from '../config';
import { logger } from '../logger';
import { resolveUserSettings, type ResolvedSettings } from '../settings/resolve';
import { sourcesKeyOf, type PlexCredentials, type TautulliCredentials } from './access';
import type { LibraryService, UserContext } from './library-service';
import type { SnapshotStore } from './snapshot-store';

export interface WarmOptions {
  /** Refresh even snapshots younger than minAgeMs. */
  force?: boolean;
  /** Skip libraries refreshed more recently than this (a request may just have done it). Default 10 min. */
  minAgeMs?: number;
  concurrency?: number;
  /** Where credentials come from; default env + all users. */
  credentials?: () => Promise<CredentialSet[]>;
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
  libraries: number;
  refreshed: number;
  skipped: number;
  failed: number;
  items: number;
  bytes: number;
  durationMs: number;
  orphanChunksDeleted: number;
  errors: Array<{ server?: string; sectionId?: string; code: string; message: string }>;
}

const errorInfo = (e: unknown) => ({
  code: (e as { code?: unknown }).code && typeof (e as { code?: unknown }).code === 'string' ? String((e as { code: string }).code) : e instanceof Error ? e.name : 'ERROR',
  message: e instanceof Error ? e.message : String(e),
});

/** Env defaults + every user's effective upstreams, one entry per distinct credential scope. */
export const configuredCredentials = async (): Promise<CredentialSet[]> => {
  const sets = new Map<string, CredentialSet>();
  const add = (s: Pick<ResolvedSettings, 'plex' | 'tautulli'>, who: string) => {
    if (!s.plex) return;
    const key = sourcesKeyOf(s.plex, s.tautulli);
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
      logger.warn('warmer: cannot read a user\'s settings; skipping them', { userId: id, error: errorInfo(e) });
    }
  }
  return [...sets.values()];
};

export const warmAll = async (service: LibraryService, store: SnapshotStore, opts: WarmOptions = {}): Promise<WarmReport> => {
  const started = performance.now();
  const report: WarmReport = { servers: 0, serversFailed: 0, libraries: 0, refreshed: 0, skipped: 0, failed: 0, items: 0, bytes: 0, durationMs: 0, orphanChunksDeleted: 0, errors: [] };
  const limit = pLimit(opts.concurrency ?? getConfig().WARMER_CONCURRENCY);
  const minAgeMs = opts.force ? 0 : (opts.minAgeMs ?? 10 * 60_000);
  const sets = await (opts.credentials ?? configuredCredentials)();

  await Promise.all(
    sets.map(async (set) => {
      let ctx: Pick<UserContext, 'plex' | 'tautulli' | 'scope' | 'access'>;
      try {
        const plex = service.deps.plexClient(set.plex);
        const tautulli = set.tautulli ? service.deps.tautulliClient(set.tautulli) : null;
        const access = await service.deps.access.resolve(set.plex, plex, { maxAgeMs: 0, force: true, now: service.deps.now });
        if (access.plexDown) throw access.plexDown;
        ctx = { plex, tautulli, access, scope: sourcesKeyOf(set.plex, set.tautulli) };
        report.servers++;
      } catch (e) {
        report.serversFailed++;
        report.errors.push(errorInfo(e));
        logger.error('warmer: server failed', { usedBy: set.usedBy.length, error: errorInfo(e) });
        return;
      }
      const judged = ctx.access.sections.filter((s) => s.type === 'movie' || s.type === 'show' || s.type === 'artist');
      await Promise.all(
        judged.map((section) =>
          limit(async () => {
            report.libraries++;
            const head = await store.readHead({ machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id, scope: ctx.scope });
            if (head && service.deps.now() - head.fetchedAt < minAgeMs) {
              report.skipped++;
              return;
            }
            try {
              const snapshot = await service.refresh(ctx, section);
              report.refreshed++;
              report.items += snapshot.meta.itemCount;
              report.bytes += snapshot.meta.encodedBytes;
            } catch (e) {
              report.failed++;
              report.errors.push({ server: ctx.access.machineIdentifier, sectionId: section.id, ...errorInfo(e) });
              logger.error('warmer: library failed', { machineIdentifier: ctx.access.machineIdentifier, sectionId: section.id, error: errorInfo(e) });
            }
          }),
        ),
      );
    }),
  );
  report.orphanChunksDeleted = await store.deleteOrphans().catch((e: unknown) => {
    logger.warn('warmer: orphan clean-up failed', { error: errorInfo(e) });
    return 0;
  });
  report.durationMs = Math.round(performance.now() - started);
  logger.info('warmer finished', { ...report, errors: report.errors.length });
  return report;
};
