import { recordAudit } from '../audit/audit-log';
import { getKeyring } from '../crypto/keyring';
import { APIError, conflict } from '../errors';
import type { AuthUser, ClientInfo } from '../http/types';
import { logger } from '../logger';
import { backoffDelay, sleep } from '../upstream';
import { serverDefaults } from './defaults';
import { resolveEffective, storedStateOf, type Effective } from './effective';
import { applyUpdate, sealSecrets } from './plan';
import { findSettings, settingsDocId, userObjectId, writeSettingsIfVersion, type SettingsDocument } from './repository';
import type { SettingsUpdate, SettingsView, Verification } from './schema';
import { verifyUpstreams } from './verify';
import { oneAtATime } from './write-queue';
import { buildView } from './view';

/** Enough for dozens of simultaneous writers of one user's settings; each round lets one win. */
const MAX_ATTEMPTS = 25;
/** Between rounds, full jitter growing to this: the losers of a round spread out instead of colliding again. */
const BACKOFF_MAX_MS = 50;

const effectiveOf = (userId: string, doc: SettingsDocument | null): Effective =>
  resolveEffective(storedStateOf(userId, doc), serverDefaults());

const viewOf = (userId: string, doc: SettingsDocument | null): SettingsView =>
  buildView(effectiveOf(userId, doc), { version: doc?.version ?? 0, updatedAt: doc?.updatedAt ?? null });

/** What verification depends on; plaintext stays inside this process (a hash would add nothing). */
const verificationKey = (e: Effective): string =>
  JSON.stringify([e.plain.plexUrl.value, e.secrets.plexToken, e.plain.tautulliUrl.value, e.secrets.tautulliApiKey]);

/** The strong ETag of a settings version. */
export const etagOf = (version: number): string => `"v${version}"`;

/** The effective settings of a user, secrets masked. */
export const getSettings = async (userId: string): Promise<SettingsView> => viewOf(userId, await findSettings(userId));

export interface UpdateOptions {
  /** the If-Match header, if any: a mismatch answers 412 */
  ifMatch?: string;
  /** check the upstreams before storing; nothing is stored if a check fails (422) */
  verify?: boolean;
  signal: AbortSignal;
  user: AuthUser;
  client: ClientInfo;
}

/** If-Match compares strongly (RFC 9110 §13.1.1): a weak validator `W/"v3"` never matches. */
const ifMatchSatisfied = (header: string, version: number): boolean =>
  header
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === '*' || t === etagOf(version));

const preconditionFailed = (version: number): APIError =>
  new APIError(
    'The settings changed since you read them (If-Match does not match); reload and try again',
    412,
    'PRECONDITION_FAILED',
    {
      details: { currentVersion: version },
      headers: { ETag: etagOf(version) },
    },
  );

const versionConflict = (version: number): APIError =>
  conflict(
    'The settings changed since you read them (version does not match); reload and try again',
    'SETTINGS_VERSION_CONFLICT',
    {
      currentVersion: version,
    },
  );

const verificationFailed = (verification: Verification): APIError =>
  new APIError('Verification failed; nothing was stored', 422, 'SETTINGS_VERIFICATION_FAILED', {
    details: verification,
  });

/**
 * Applies a PUT. Read, plan, then write the whole document only if its version
 * is still the one read (single-document compare-and-swap): concurrent PUTs are
 * serialised, never mixed, and a kept secret is always the box that was read.
 * With a precondition (If-Match or body `version`) a lost race is the client's
 * to resolve (412/409); without, the PUT is re-planned on the fresh document.
 * A user's PUTs within this process wait in line (write-queue.ts), so the swap
 * only settles races between processes.
 */
export const updateSettings = (input: SettingsUpdate, opts: UpdateOptions): Promise<SettingsView> =>
  oneAtATime(opts.user.id, () => applySettingsUpdate(input, opts));

const applySettingsUpdate = async (input: SettingsUpdate, opts: UpdateOptions): Promise<SettingsView> => {
  const userId = opts.user.id;
  const pinned = opts.ifMatch !== undefined || input.version !== undefined;
  let verification: Verification | undefined;
  let verifiedKey: string | undefined;

  for (let attempt = 1; ; attempt++) {
    const doc = await findSettings(userId);
    const version = doc?.version ?? 0;
    if (opts.ifMatch !== undefined && !ifMatchSatisfied(opts.ifMatch, version)) throw preconditionFailed(version);
    if (input.version !== undefined && input.version !== version) throw versionConflict(version);

    const ring = getKeyring();
    const plan = applyUpdate(storedStateOf(userId, doc, ring), input, serverDefaults());

    if (opts.verify) {
      const candidate = resolveEffective(plan.next, serverDefaults());
      // Re-check only if a retry changed what would be verified.
      const key = verificationKey(candidate);
      if (key !== verifiedKey) {
        verification = await verifyUpstreams(userId, candidate, opts.signal);
        verifiedKey = key;
      }
      if (!verification?.ok) throw verificationFailed(verification as Verification);
    }

    if (!plan.changed.length) return { ...viewOf(userId, doc), ...(verification ? { verification } : {}) };

    const now = new Date();
    const next: SettingsDocument = {
      _id: settingsDocId(userId),
      userId: userObjectId(userId),
      version: version + 1,
      createdAt: doc?.createdAt ?? now,
      updatedAt: now,
      values: plan.next.values,
      // sealing needs the key: without one this is a 503 ENCRYPTION_UNAVAILABLE, before anything is written
      secrets: sealSecrets(userId, plan.next, ring) as SettingsDocument['secrets'],
    };
    if (await writeSettingsIfVersion(next, version)) {
      logger.info('settings updated', { userId, fields: plan.changed, version: next.version });
      await recordAudit({
        type: 'settings_change',
        userId: next.userId,
        username: opts.user.username,
        ip: opts.client.ip,
        userAgent: opts.client.userAgent,
        details: { fields: plan.changed, version: next.version },
      });
      return { ...viewOf(userId, next), ...(verification ? { verification } : {}) };
    }
    if (pinned) {
      const current = (await findSettings(userId))?.version ?? 0;
      throw opts.ifMatch !== undefined ? preconditionFailed(current) : versionConflict(current);
    }
    if (attempt >= MAX_ATTEMPTS)
      throw conflict('The settings are being changed concurrently; try again', 'SETTINGS_WRITE_CONFLICT');
    await sleep(backoffDelay(attempt, 1, BACKOFF_MAX_MS));
  }
};

/** POST /api/settings/verify: checks the settings as they would be after applying `input`; stores nothing. */
export const verifySettings = async (
  userId: string,
  input: SettingsUpdate,
  signal: AbortSignal,
): Promise<Verification> => {
  const plan = applyUpdate(storedStateOf(userId, await findSettings(userId)), input, serverDefaults());
  return verifyUpstreams(userId, resolveEffective(plan.next, serverDefaults()), signal);
};
