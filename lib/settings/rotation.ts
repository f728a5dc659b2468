import { getKeyring, requireCurrentKey } from '../crypto/keyring';
import { isSealedSecret } from '../crypto/secret-box';
import { logger } from '../logger';
import { storedStateOf } from './effective';
import { sealSecrets } from './plan';
import { settingsCollection, writeSettingsIfVersion, type SettingsDocument } from './repository';
import { SECRET_FIELDS } from './schema';

export interface RotationReport {
  scanned: number;
  resealed: number;
  /** documents with a secret that no configured key opens (left as they are) */
  unreadable: number;
  /** documents changed by a user while being re-sealed (their write re-seals them anyway) */
  skipped: number;
}

/**
 * Completes a key rotation: re-seals every stored secret still under a retired
 * key with the current one, so the retired key can then be removed from
 * SETTINGS_ENCRYPTION_OLD_KEYS. Values are untouched; each document is written
 * with the same version check as a PUT, so a concurrent PUT is never undone.
 * Meant for a maintenance script (e.g. `npm run settings:rotate-keys`).
 */
export const resealRetiredSecrets = async (): Promise<RotationReport> => {
  const ring = getKeyring();
  const { id: currentId } = requireCurrentKey(ring);
  const report: RotationReport = { scanned: 0, resealed: 0, unreadable: 0, skipped: 0 };
  const col = await settingsCollection();
  for await (const doc of col.find({})) {
    report.scanned++;
    const retired = SECRET_FIELDS.some((f) => isSealedSecret(doc.secrets?.[f]) && doc.secrets[f]?.kid !== currentId);
    if (!retired) continue;
    const userId = doc.userId.toHexString();
    const state = storedStateOf(userId, doc, ring);
    if (SECRET_FIELDS.some((f) => state.secrets[f].state === 'unreadable')) report.unreadable++;
    const resealable = SECRET_FIELDS.some((f) => {
      const s = state.secrets[f];
      return s.state === 'readable' && s.box?.kid !== currentId;
    });
    if (!resealable) continue;
    const next: SettingsDocument = {
      ...doc,
      version: doc.version + 1,
      secrets: sealSecrets(userId, state, ring) as SettingsDocument['secrets'],
    };
    if (await writeSettingsIfVersion(next, doc.version)) report.resealed++;
    else report.skipped++;
  }
  logger.info('settings secrets re-sealed', { ...report, keyId: currentId });
  return report;
};
