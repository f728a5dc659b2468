/**
 * Fake Plex Media Server speaking the shapes of the real one (see
 * shared/reference/plex-tautulli-api.md): X-Plex-Token header or query,
 * JSON with Accept: application/json and XML otherwise, paging by
 * X-Plex-Container-Start/-Size headers or query, totalSize only when paged,
 * Metadata absent on an empty page, viewCount/lastViewedAt of the owner only
 * and omitted when zero, 401 HTML for a bad token, 404 for an unknown section.
 *
 * Non-owner tokens (`sharedTokens`: token → account id) behave like a shared /
 * managed user's token: items carry THAT account's viewCount/lastViewedAt, the
 * server history shows only that account's rows, and the admin-only system
 * accounts list (`/accounts`) answers 401. The owner's token gets `/accounts`
 * with every account.
 */
import { OWNER_ACCOUNT_ID, type FakeDataset, type FakeItem } from './dataset';
import { startFakeServer, type FakeResponse, type FakeServer, type RecordedRequest } from './fake-server';
import { LibraryView, PLEX_TYPE_NUMBER, SECTION_DEFAULT_TYPE } from './library-view';

export const PLEX_UNAUTHORIZED_BODY =
  '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
const NOT_FOUND_BODY = '<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };
type JsonObject = { [k: string]: Json | undefined };

const TYPE_BY_NUMBER = new Map(Object.entries(PLEX_TYPE_NUMBER).map(([t, n]) => [n, t]));
const XML_ELEMENT: Record<string, string> = {
  movie: 'Video',
  episode: 'Video',
  show: 'Directory',
  season: 'Directory',
  artist: 'Directory',
  album: 'Directory',
  track: 'Track',
  photo: 'Photo',
};

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** JSON children arrays become elements; Metadata elements are named after their type, as in PMS XML. */
const toXml = (name: string, obj: JsonObject): string => {
  let attrs = '';
  let children = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      for (const child of v) {
        if (child && typeof child === 'object' && !Array.isArray(child)) {
          const childName = k === 'Metadata' ? (XML_ELEMENT[String(child.type)] ?? 'Video') : k;
          children += toXml(childName, child);
        }
      }
    } else if (typeof v !== 'object') attrs += ` ${k}="${escapeXml(String(v))}"`;
  }
  return children ? `<${name}${attrs}>${children}</${name}>` : `<${name}${attrs}/>`;
};

export interface FakePlexOptions {
  /** The server owner's (admin) token. */
  token: string;
  /** Tokens of shared/managed users → their Plex account id. */
  sharedTokens?: Record<string, number>;
  port?: number;
  latencyMs?: number;
  /** Quirk: paged answers carry no totalSize (and no X-Plex-Container-Total-Size header). */
  omitTotalSize?: boolean;
}

export interface FakePlexQuirks {
  omitTotalSize: boolean;
  /** Broken server: ignores X-Plex-Container-Start and always answers the first page. */
  ignoreStart?: boolean;
}

export interface FakePlex extends FakeServer {
  /** Replace the dataset (e.g. after a test mutated it). */
  setDataset(dataset: FakeDataset): void;
  /** Runtime quirks (e.g. leave totalSize out of paged answers). */
  quirks: FakePlexQuirks;
}

export const startFakePlex = async (dataset: FakeDataset, opts: FakePlexOptions): Promise<FakePlex> => {
  let view = new LibraryView(dataset);
  const quirks: FakePlexQuirks = { omitTotalSize: opts.omitTotalSize ?? false };
  /** Whose token made the request: the owner's unless a shared token was used. */
  const accountOf = (req: RecordedRequest): number =>
    req.principal !== undefined ? Number(req.principal) : OWNER_ACCOUNT_ID;

  const answer = (
    req: RecordedRequest,
    container: JsonObject,
    extraHeaders: Record<string, string> = {},
  ): FakeResponse => {
    const json = (req.headers.accept ?? '').includes('json');
    return {
      status: 200,
      headers: {
        'Content-Type': json ? 'application/json' : 'text/xml;charset=utf-8',
        'X-Plex-Protocol': '1.0',
        ...extraHeaders,
      },
      body: json
        ? JSON.stringify({ MediaContainer: container })
        : `<?xml version="1.0" encoding="UTF-8"?>\n${toXml('MediaContainer', container)}`,
    };
  };

  /** Paging from headers or query; `paged` false ⇒ everything and no totalSize. */
  const page = <T>(req: RecordedRequest, all: readonly T[]) => {
    const raw = (name: string) => req.query[name] ?? req.headers[name.toLowerCase()];
    const startRaw = raw('X-Plex-Container-Start');
    const sizeRaw = raw('X-Plex-Container-Size');
    const paged = startRaw !== undefined || sizeRaw !== undefined;
    const start = quirks.ignoreStart ? 0 : Math.max(0, Number(startRaw ?? 0) || 0);
    const size = sizeRaw === undefined ? all.length : Math.max(0, Number(sizeRaw) || 0);
    const rows = all.slice(start, start + size);
    const container: JsonObject = { size: rows.length };
    if (paged)
      Object.assign(container, quirks.omitTotalSize ? { offset: start } : { totalSize: all.length, offset: start });
    const headers: Record<string, string> = paged ? { 'X-Plex-Container-Start': String(start) } : {};
    if (paged && !quirks.omitTotalSize) headers['X-Plex-Container-Total-Size'] = String(all.length);
    return { rows, container, headers };
  };

  const media = (item: FakeItem): Json[] | undefined =>
    item.media?.map((parts, mi) => ({
      id: Number(item.ratingKey) * 10 + mi,
      duration: item.type === 'track' ? 240_000 : 2_700_000,
      bitrate: 6564,
      width: 1920,
      height: 1080,
      aspectRatio: 1.78,
      audioChannels: 6,
      audioCodec: 'ac3',
      videoCodec: 'h264',
      videoResolution: '1080',
      container: 'mkv',
      videoFrameRate: '24p',
      Part: parts.map((size, pi) => ({
        id: Number(item.ratingKey) * 100 + mi * 10 + pi,
        key: `/library/parts/${Number(item.ratingKey) * 100 + pi}/${item.addedAt}/file.mkv`,
        duration: 2_700_000,
        file: `/data/${item.sectionId}/${item.title}${pi ? `.part${pi + 1}` : ''}.mkv`,
        size,
        container: 'mkv',
      })),
    }));

  const metadata = (item: FakeItem, accountId: number): JsonObject => {
    const owner = view.accountStats(item, accountId);
    const parent = item.parentRatingKey ? view.byKey.get(item.parentRatingKey) : undefined;
    const grandparent = item.grandparentRatingKey ? view.byKey.get(item.grandparentRatingKey) : undefined;
    const isParent = !item.media;
    const m: JsonObject = {
      ratingKey: item.ratingKey,
      key: `/library/metadata/${item.ratingKey}${isParent ? '/children' : ''}`,
      parentRatingKey: item.parentRatingKey,
      grandparentRatingKey: item.grandparentRatingKey,
      guid: `plex://${item.type}/${Number(item.ratingKey).toString(16).padStart(24, '0')}`,
      type: item.type,
      title: item.title,
      titleSort: item.titleSort !== item.title ? item.titleSort : undefined,
      grandparentTitle: grandparent?.title,
      parentTitle: parent?.title,
      index: item.index,
      parentIndex: parent?.index,
      year: item.year ?? undefined,
      thumb: `/library/metadata/${item.ratingKey}/thumb/${item.updatedAt}`,
      duration: item.type === 'photo' ? undefined : 2_700_000,
      addedAt: item.addedAt,
      updatedAt: item.updatedAt,
      // The token's own account only, and absent when zero — exactly what makes Plex alone unsafe for multi-user servers.
      viewCount: owner.viewCount || undefined,
      lastViewedAt: owner.lastViewedAt ?? undefined,
    };
    if (isParent) {
      const children = view.childrenOf(item.ratingKey);
      m.leafCount = view.leavesOf(item).length;
      m.viewedLeafCount = owner.viewedLeafCount;
      if (item.type === 'show' || item.type === 'artist') m.childCount = children.length;
    } else m.Media = media(item);
    return m;
  };

  const sections = (req: RecordedRequest) =>
    answer(req, {
      size: view.ds.sections.length,
      allowSync: false,
      title1: 'Plex Library',
      Directory: view.ds.sections.map((s) => ({
        allowSync: true,
        art: `/:/resources/${s.type}-fanart.jpg`,
        composite: `/library/sections/${s.id}/composite/${s.updatedAt}`,
        filters: true,
        refreshing: false,
        thumb: `/:/resources/${s.type}.png`,
        key: s.id,
        type: s.type,
        title: s.title,
        agent: s.agent,
        scanner: s.scanner,
        language: 'en-US',
        uuid: s.uuid,
        updatedAt: s.updatedAt,
        createdAt: s.createdAt,
        scannedAt: s.scannedAt,
        content: true,
        directory: true,
        contentChangedAt: 3192854,
        hidden: 0,
        Location: [{ id: Number(s.id), path: `/data/${s.title.toLowerCase().replace(/\s+/g, '-')}` }],
      })),
    });

  const listing = (req: RecordedRequest, sectionId: string): FakeResponse => {
    const section = view.section(sectionId);
    if (!section) return { status: 404, headers: { 'Content-Type': 'text/html' }, body: NOT_FOUND_BODY };
    const type = req.query.type ? TYPE_BY_NUMBER.get(Number(req.query.type)) : SECTION_DEFAULT_TYPE[section.type];
    const all = type ? view.listing(sectionId, type as FakeItem['type']) : [];
    const { rows, container, headers } = page(req, all);
    return answer(
      req,
      {
        ...container,
        allowSync: true,
        identifier: 'com.plexapp.plugins.library',
        librarySectionID: Number(section.id),
        librarySectionTitle: section.title,
        librarySectionUUID: section.uuid,
        mediaTagPrefix: '/system/bundle/media/flags/',
        mediaTagVersion: 1700000000,
        title1: section.title,
        title2: `All ${section.title}`,
        viewGroup: type ?? section.type,
        Metadata: rows.length ? rows.map((r) => metadata(r, accountOf(req))) : undefined, // absent on an empty page
      },
      headers,
    );
  };

  const history = (req: RecordedRequest): FakeResponse => {
    const q = req.query;
    // "Admin can see all users, others can only see their own" (Plex API spec).
    const onlyAccount = req.principal !== undefined ? accountOf(req) : undefined;
    const sinceRaw = q['viewedAt>'] ?? q['viewedAt>>']; // `viewedAt>=N` arrives as key "viewedAt>" value N
    let rows = view.history.filter(
      (h) =>
        (onlyAccount === undefined || h.play.accountId === onlyAccount) &&
        (!q.librarySectionID || h.item.sectionId === q.librarySectionID) &&
        (!q.accountID || String(h.play.accountId) === q.accountID) &&
        (!q.metadataItemID ||
          [h.item.ratingKey, h.item.parentRatingKey, h.item.grandparentRatingKey].includes(q.metadataItemID)) &&
        (sinceRaw === undefined || h.play.viewedAt >= Number(sinceRaw)),
    );
    if (q.sort === 'viewedAt:asc' || q.sort === 'viewedAt') rows = [...rows].reverse();
    const { rows: pageRows, container, headers } = page(req, rows);
    const metadata = pageRows.map(({ id, play, item }): JsonObject => {
      const parent = item.parentRatingKey ? view.byKey.get(item.parentRatingKey) : undefined;
      const grandparent = item.grandparentRatingKey ? view.byKey.get(item.grandparentRatingKey) : undefined;
      return {
        historyKey: `/status/sessions/history/${id}`,
        key: `/library/metadata/${item.ratingKey}`,
        ratingKey: item.ratingKey,
        librarySectionID: item.sectionId,
        parentKey: parent ? `/library/metadata/${parent.ratingKey}` : undefined,
        grandparentKey: grandparent ? `/library/metadata/${grandparent.ratingKey}` : undefined,
        title: item.title,
        grandparentTitle: grandparent?.title,
        type: item.type,
        thumb: `/library/metadata/${item.ratingKey}/thumb/${item.updatedAt}`,
        index: item.index,
        parentIndex: parent?.index,
        originallyAvailableAt: `${item.year ?? 2000}-01-01`,
        viewedAt: play.viewedAt,
        accountID: play.accountId,
        deviceID: 5,
      };
    });
    return answer(req, { ...container, Metadata: metadata.length ? metadata : undefined }, headers);
  };

  /** GET /accounts: the server's system accounts, admin (owner) token only. */
  const accounts = (req: RecordedRequest): FakeResponse => {
    if (req.principal !== undefined)
      return { status: 401, headers: { 'Content-Type': 'text/html' }, body: PLEX_UNAUTHORIZED_BODY };
    return answer(req, {
      size: view.ds.accounts.length,
      identifier: 'com.plexapp.system.accounts',
      Account: view.ds.accounts.map((a) => ({
        id: a.id,
        key: `/accounts/${a.id}`,
        name: a.name,
        defaultAudioLanguage: 'en',
        autoSelectAudio: true,
      })),
    });
  };

  const altSecrets: Record<string, string> = {};
  for (const [tok, accountId] of Object.entries(opts.sharedTokens ?? {})) altSecrets[tok] = String(accountId);

  const server = await startFakeServer({
    secretHeader: 'X-Plex-Token',
    secretQuery: 'X-Plex-Token',
    headerAuthenticates: true,
    secret: opts.token,
    altSecrets,
    port: opts.port,
    latencyMs: opts.latencyMs,
    errorBody: (status) =>
      status === 401
        ? { status, headers: { 'Content-Type': 'text/html' }, body: PLEX_UNAUTHORIZED_BODY }
        : {
            status,
            headers: { 'Content-Type': 'text/html' },
            body: `<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>`,
          },
    handle: (req) => {
      if (req.path === '/identity') {
        return answer(req, {
          size: 0,
          apiVersion: '1.1.1',
          claimed: true,
          machineIdentifier: view.ds.machineIdentifier,
          version: view.ds.version,
        });
      }
      if (!req.authorized)
        return { status: 401, headers: { 'Content-Type': 'text/html' }, body: PLEX_UNAUTHORIZED_BODY };
      if (req.path === '/library/sections' || req.path === '/library/sections/') return sections(req);
      const m = /^\/library\/sections\/([^/]+)\/all$/.exec(req.path);
      if (m?.[1]) return listing(req, decodeURIComponent(m[1]));
      if (req.path === '/status/sessions/history/all') return history(req);
      if (req.path === '/accounts' || req.path === '/accounts/') return accounts(req);
      return { status: 404, headers: { 'Content-Type': 'text/html' }, body: NOT_FOUND_BODY };
    },
  });

  return Object.assign(server, {
    quirks,
    setDataset: (ds: FakeDataset) => {
      view = new LibraryView(ds);
    },
  });
};
