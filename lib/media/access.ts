/**
 * Tenant safety. A user reaches a library only through their OWN effective
 * Plex credentials (their settings, else the env defaults):
 *
 * - `accessFingerprint` = HMAC(url + token) names a credential. The first time
 *   (and again after `maxAgeMs`) it is proved against Plex with an
 *   authenticated call; the record keeps the machineIdentifier and the
 *   sections THAT token can see. Changing the URL or token in settings changes
 *   the fingerprint, so the old proof is simply never found again.
 * - `sourcesKey` = HMAC(token + Tautulli url + key) scopes snapshots: the data
 *   behind an answer always came from the requester's own credentials. A
 *   shared user's token sees only its own plays in Plex history, and anyone can
 *   point "their" Tautulli anywhere; neither may change another user's answers.
 *
 * Ownership: Plex shows the server-wide history of EVERY account only to the
 * server owner (admin); a shared/managed user's token sees its own plays only,
 * in history and on items. The proof therefore also records whether the token
 * is the owner's (`PlexClient.isServerAdmin`, GET /accounts). Anything but a
 * clear "yes" counts as not the owner (fail closed: plm then needs Tautulli
 * for other accounts' plays); that mapping is NOT verified against a real PMS.
 *
 * Tokens are never stored: only keyed hashes (the key is the server's
 * JWT_SECRET, so the hashes are useless outside this deployment).
 */
import { createHmac } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Db } from 'mongodb';
import { getConfig } from '../config';
import { getDb } from '../db/client';
import { derivedId } from '../db/ids';
import { logger } from '../logger';
import type { PlexClient, PlexSection } from '../plex';
import { isUpstreamError, type UpstreamError } from '../upstream';
import { MediaCollections } from './store/collections';

export interface PlexCredentials {
  url: string;
  token: string;
}
export interface TautulliCredentials {
  url: string;
  apiKey: string;
}

const hmac = (purpose: string, ...parts: string[]): string =>
  createHmac('sha256', getConfig().JWT_SECRET)
    .update(`plm-media:${purpose}\n${parts.join('\n')}`)
    .digest('base64url')
    .slice(0, 32);

/** The form of a URL inside the keys below: trailing slashes and case do not make another server. */
const urlKey = (url: string): string => url.replace(/\/+$/, '').toLowerCase();

export const accessFingerprint = (plex: PlexCredentials): string => hmac('access', urlKey(plex.url), plex.token);

export const sourcesKeyOf = (plex: PlexCredentials, tautulli: TautulliCredentials | null): string =>
  hmac('sources', plex.token, tautulli ? urlKey(tautulli.url) : '', tautulli?.apiKey ?? '');

/** One Plex server (URL) through one token and one Tautulli: what the warmer must refresh once. */
export const upstreamsKeyOf = (plex: PlexCredentials, tautulli: TautulliCredentials | null): string =>
  hmac('upstreams', urlKey(plex.url), sourcesKeyOf(plex, tautulli));

export interface SectionInfo {
  id: string;
  type: string;
  title: string;
  updatedAt: number | null;
  scannedAt: number | null;
}

/** Whether the proved token is the server owner's. */
export type TokenOwnership = 'owner' | 'not-owner';

interface AccessDoc {
  _id: ReturnType<typeof derivedId>;
  machineIdentifier: string;
  sections: SectionInfo[];
  /** Absent on proofs written before ownership was checked: such a proof is proved again. */
  ownership?: TokenOwnership;
  verifiedAt: Date;
}

export interface ServerAccess {
  machineIdentifier: string;
  sections: SectionInfo[];
  ownership: TokenOwnership;
  /** Epoch ms of the last successful proof. */
  verifiedAt: number;
  /** Set when Plex could not be reached just now: only cached snapshots can be served. */
  plexDown?: UpstreamError;
}

/** Fingerprint → last proof, so a warm container does not read it from MongoDB on every request. */
const memo = new LRUCache<string, AccessDoc>({ max: 1000 });

const toSection = (s: PlexSection): SectionInfo => ({
  id: s.id,
  type: s.type,
  title: s.title,
  updatedAt: s.updatedAt,
  scannedAt: s.scannedAt,
});

/** Auth failures must never fall back to a cached proof: the credential itself is bad. */
const isAuthFailure = (e: UpstreamError) => e.kind === 'unauthorized';

export interface ResolveOptions {
  maxAgeMs: number;
  force?: boolean;
  signal?: AbortSignal;
  now?: () => number;
  beforeProve?: () => Promise<void>;
}

/** A stored proof as the use cases see it (an old proof without ownership fails closed). */
const accessOf = (doc: AccessDoc): ServerAccess => ({
  machineIdentifier: doc.machineIdentifier,
  sections: doc.sections,
  ownership: doc.ownership ?? 'not-owner',
  verifiedAt: doc.verifiedAt.getTime(),
});

export class AccessResolver {
  constructor(private readonly db: () => Promise<Db> = getDb) {}

  private async col() {
    return (await this.db()).collection<AccessDoc>(MediaCollections.access);
  }

  /**
   * The server and sections `plex` proves access to. Uses a proof younger
   * than `maxAgeMs`; otherwise proves again. If Plex is unreachable (not a
   * rejection), an older proof of THIS credential still stands, flagged
   * `plexDown`, so cached snapshots can be served stale.
   */
  async resolve(creds: PlexCredentials, client: PlexClient, opts: ResolveOptions): Promise<ServerAccess> {
    const now = opts.now ?? Date.now;
    const fp = accessFingerprint(creds);
    const _id = derivedId('media-access', fp);
    const doc = memo.get(fp) ?? (await (await this.col()).findOne({ _id })) ?? undefined;
    if (doc) memo.set(fp, doc);
    if (doc?.ownership && !opts.force && now() - doc.verifiedAt.getTime() < opts.maxAgeMs) return accessOf(doc);
    // Proving a new credential, or on demand, calls the user's server: the caller may limit how often
    // (throws, e.g. 429). Re-checking a known one is bounded by maxAgeMs and must not fail plain reads.
    if (!doc?.ownership || opts.force) await opts.beforeProve?.();
    try {
      return accessOf(await this.prove(fp, _id, client, opts.signal, now));
    } catch (e) {
      if (!isUpstreamError(e) || e.service !== 'plex') throw e;
      if (isAuthFailure(e)) {
        memo.delete(fp);
        await (await this.col()).deleteOne({ _id }).catch(() => undefined);
        throw e;
      }
      if (!doc) throw e;
      logger.warn('plex unreachable; serving cached snapshots', {
        code: e.code,
        machineIdentifier: doc.machineIdentifier,
      });
      return { ...accessOf(doc), plexDown: e };
    }
  }

  /** Asks Plex, stores and memoises the proof. */
  private async prove(
    fp: string,
    _id: AccessDoc['_id'],
    client: PlexClient,
    signal: AbortSignal | undefined,
    now: () => number,
  ): Promise<AccessDoc> {
    // Sections need the token; /identity alone would prove only that the host answers.
    const [sections, identity, admin] = await Promise.all([
      client.getSections(signal),
      client.getIdentity(signal),
      client.isServerAdmin(signal),
    ]);
    const doc: AccessDoc = {
      _id,
      machineIdentifier: identity.machineIdentifier,
      sections: sections.map(toSection),
      ownership: admin === 'admin' ? 'owner' : 'not-owner',
      verifiedAt: new Date(now()),
    };
    await (await this.col()).replaceOne({ _id }, doc, { upsert: true });
    memo.set(fp, doc);
    return doc;
  }

  /** Forget the in-memory proofs (tests). */
  static clearMemo(): void {
    memo.clear();
  }
}
