import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import { resetConfig } from '../../lib/config';
import { warmAll } from '../../lib/media/warmer';
import * as policy from '../../lib/upstream/network-policy';
import { guardedLookup } from '../../lib/upstream/guarded-fetch';
import { generateLibrary, startFakePlex, type FakePlex } from '../../dev/fakes';
import { createUserAndLogin } from '../../dev/users';
import { startMediaFixture, type MediaFixture } from '../helpers/media-fixture';
import { call, route, scanForSecrets } from './harness';
import { Checks } from './tally';

/**
 * SSRF on a hosted plm (UPSTREAM_ALLOW_LAN unset in production, "false"
 * here): users' Plex/Tautulli URLs may not lead plm into its own network,
 * whether by a literal address, a name resolving to one, or a name that
 * resolves differently at check and connect time; verify's answers do not
 * reveal network details; the warmer spends users' budgets. Names resolve
 * through a stub (nothing leaves 127.0.0.1).
 */
jest.setTimeout(120_000);

// Some probes need a socket that counts as "public" while staying on 127.0.0.1: the policy is wrapped to allow that.
jest.mock('../../lib/upstream/network-policy', () => {
  const actual = jest.requireActual('../../lib/upstream/network-policy');
  return { ...actual, addressAllowed: jest.fn(actual.addressAllowed) };
});
const realAddressAllowed = jest.requireActual('../../lib/upstream/network-policy').addressAllowed;
const loopbackCountsAsPublic = (on: boolean) =>
  (policy.addressAllowed as jest.Mock).mockImplementation((a: string, p: policy.NetworkPolicy) =>
    on && a === '127.0.0.1' ? true : realAddressAllowed(a, p),
  );
const closedPort = async (): Promise<number> => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
};

const TOKEN = 'plex-token-of-ssrf-user-0123456';
const answers = new Map<string, string[]>();
let lookups = 0;
/** dns.lookup answering from `answers` (the next entry each time for a name), ENOTFOUND otherwise. */
const stubLookup = ((host: string, ...rest: unknown[]) => {
  const cb = rest.pop() as (e: NodeJS.ErrnoException | null, a?: unknown, f?: number) => void;
  const opts = (rest[0] ?? {}) as { all?: boolean };
  lookups++;
  const list = answers.get(host);
  const address = host === 'localhost' || host === '127.0.0.1' ? '127.0.0.1' : list?.shift();
  if (list && address) list.push(address); // cycle: rebinding names alternate
  if (!address) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
  const family = address.includes(':') ? 6 : 4;
  if (opts.all) cb(null, [{ address, family }]);
  else cb(null, address, family);
}) as unknown as typeof dns.lookup;

let fx: MediaFixture;
let plex: FakePlex;
let user: Awaited<ReturnType<typeof createUserAndLogin>>;

const put = (body: unknown) => call(route('settingsPut'), { token: user.token, body });
const verify = (body: unknown) => call(route('settingsVerify'), { token: user.token, body });
const plexCheck = (res: { json: <T>() => T }) =>
  res.json<{ plex: { status: string; code?: string; message?: string } }>().plex;

beforeAll(async () => {
  jest.spyOn(dns, 'lookup').mockImplementation(stubLookup);
  fx = await startMediaFixture(
    generateLibrary({ seed: 9, movies: 5, episodes: 5, artists: 1, photos: 0, accounts: 1 }),
  );
  plex = await startFakePlex(
    generateLibrary({ seed: 10, movies: 3, episodes: 3, artists: 1, photos: 0, accounts: 1 }),
    {
      token: TOKEN,
    },
  );
  process.env.UPSTREAM_ALLOW_LAN = 'false';
  resetConfig();
  fx.install();
  user = await createUserAndLogin();
});
afterAll(async () => {
  delete process.env.UPSTREAM_ALLOW_LAN;
  await Promise.all([plex.close(), fx.close()]);
});

it('refuses literal private, loopback, link-local, CGNAT and metadata targets when they are set', async () => {
  const checks = new Checks('attack', 'SSRF: literal internal targets in settings');
  const port = new URL(plex.url).port;
  const targets = [
    `http://127.0.0.1:${port}`,
    'http://127.1:32400',
    'http://2130706433:32400',
    'http://0x7f.0.0.1:32400',
    'http://[::1]:32400',
    'http://[::ffff:127.0.0.1]:32400',
    'http://[::ffff:7f00:1]:32400',
    'http://localhost:32400',
    'http://plex.localhost:32400',
    'http://0.0.0.0:32400',
    'http://10.0.0.5:32400',
    'http://172.16.0.1:32400',
    'http://192.168.1.10:32400',
    'http://100.64.0.1:32400',
    'http://[fd12:3456::1]:32400',
    'http://169.254.169.254/latest/meta-data',
    'http://[::ffff:a9fe:a9fe]',
    'http://[fe80::1]',
    'http://[fd00:ec2::254]',
    'http://100.100.100.200',
    'http://192.0.0.192',
    'http://metadata',
    'http://metadata.google.internal',
    'http://instance-data',
    'http://[2002:7f00:1::]',
    'http://[64:ff9b::a9fe:a9fe]',
  ];
  for (const plexUrl of targets) {
    const res = await put({ plexUrl, plexToken: TOKEN });
    checks.check(plexUrl, res.statusCode === 400, `got ${res.statusCode}`);
  }
  checks.check(
    'nothing reached the server on loopback',
    plex.requests.length === 0,
    `${plex.requests.length} requests`,
  );
  checks.done();
});

it('refuses names that resolve to internal addresses, at connect time, whatever DNS says next', async () => {
  const checks = new Checks('attack', 'SSRF: names resolving inward, DNS rebinding');
  const port = new URL(plex.url).port;
  answers.set('loopback.example', ['127.0.0.1']);
  answers.set('lan.example', ['192.168.1.10']);
  answers.set('cgnat.example', ['100.64.1.1']);
  answers.set('meta.example', ['169.254.169.254']);
  answers.set('v6.example', ['::1']);
  // "Rebinding": the name alternates between a harmless-looking answer and loopback.
  answers.set('rebind.example', ['10.0.0.1', '127.0.0.1']);
  for (const host of [
    'loopback.example',
    'lan.example',
    'cgnat.example',
    'meta.example',
    'v6.example',
    'rebind.example',
  ]) {
    const stored = await put({ plexUrl: `http://${host}:${port}`, plexToken: TOKEN });
    checks.check(`${host} may be stored (a name)`, stored.statusCode === 200, String(stored.statusCode));
    for (let i = 0; i < 2; i++) {
      const before = lookups;
      const v = plexCheck(await verify({}));
      checks.check(`${host} verify ${i + 1} fails opaquely`, v.code === 'PLEX_UNREACHABLE', JSON.stringify(v));
      checks.check(`${host} verify ${i + 1} resolved the name on connecting`, lookups > before);
      const lib = await call(route('libraries'), { token: user.token });
      checks.check(
        `${host} libraries ${i + 1} → 502 without details`,
        lib.statusCode === 502 && !/ECONN|ENOTFOUND|PLM_ADDRESS/.test(lib.body),
        lib.body.slice(0, 120),
      );
    }
  }
  checks.check(
    'nothing reached the server on loopback',
    plex.requests.length === 0,
    `${plex.requests.length} requests`,
  );
  // The lookup hook itself: a mixed answer keeps only public addresses; an inward-only one is refused.
  const lookup = guardedLookup({ allowPrivate: false });
  answers.set('mixed.example', ['127.0.0.1']);
  await new Promise<void>((resolve) =>
    lookup('mixed.example', { all: true }, (err) => {
      checks.check('an all-inward answer is refused in the lookup', err !== null);
      resolve();
    }),
  );
  checks.done();
});

it("verify's answers do not tell a closed port from a missing name, an HTTP error or a wrong kind of server", async () => {
  const checks = new Checks('attack', 'SSRF: verify as a DNS/port scanner');
  // Here loopback counts as "public", so these probes reach real sockets, yet the answers must not differ.
  loopbackCountsAsPublic(true);
  const html: Server = createServer((_req, res) =>
    res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nginx</h1>'),
  );
  await new Promise<void>((r) => html.listen(0, '127.0.0.1', () => r()));
  const htmlPort = (html.address() as { port: number }).port;
  answers.set('scan.example', ['127.0.0.1']);
  try {
    const probes: Record<string, string> = {
      'closed port': `http://scan.example:${await closedPort()}`,
      'missing name': 'http://nowhere.example:32400',
      'HTTP 404 server': `http://scan.example:${htmlPort}`,
      'refused address': 'http://lan.example:32400',
    };
    const seen = new Set<string>();
    for (const [name, plexUrl] of Object.entries(probes)) {
      const v = plexCheck(await verify({ plexUrl, plexToken: TOKEN }));
      seen.add(JSON.stringify(v));
      checks.check(
        name,
        v.status === 'failed' && !/\d{3}|ECONN|ENOTFOUND|refused|DNS/i.test(v.message ?? ''),
        JSON.stringify(v),
      );
    }
    checks.check('one answer for all of them', seen.size === 1, [...seen].join(' | '));
    const wrongToken = plexCheck(
      await verify({ plexUrl: plex.url.replace('127.0.0.1', 'scan.example'), plexToken: 'wrong-token-000000' }),
    );
    checks.check(
      'a real Plex refusing the token says so',
      wrongToken.code === 'PLEX_UNAUTHORIZED',
      JSON.stringify(wrongToken),
    );
  } finally {
    loopbackCountsAsPublic(false);
    html.close();
  }
  checks.done();
});

it("the warmer's contacts with a user's server spend that user's budget", async () => {
  const checks = new Checks('attack', "SSRF: the warmer as a flood outside users' budgets");
  loopbackCountsAsPublic(true);
  try {
    const spender = await createUserAndLogin();
    const service = fx.install();
    const credentials = async () => [
      { plex: { url: plex.url, token: TOKEN }, tautulli: null, usedBy: [spender.userId] },
    ];
    const first = plex.requests.length;
    await warmAll(service, service.store, { credentials, force: true });
    const contacts = plex.requests.length - first;
    checks.check('with budget left the server is warmed', contacts > 0, `${contacts} requests`);
    for (let i = 0; i < 60; i++) await service.limitUpstream(spender.userId).catch(() => undefined);
    const before = plex.requests.length;
    const report = await warmAll(service, service.store, { credentials, force: true });
    checks.check(
      'a spent budget: the server is not contacted',
      plex.requests.length === before,
      `${plex.requests.length - before} requests`,
    );
    checks.check('…and the report says so', report.serversSkipped === 1, JSON.stringify(report));
  } finally {
    loopbackCountsAsPublic(false);
  }
  checks.done();
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('SSRF: every log line and answer', [TOKEN, user.password]);
});
