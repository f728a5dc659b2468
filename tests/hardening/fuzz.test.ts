import dns from 'node:dns';
import fc from 'fast-check';
import { createUser } from '../../lib/auth/users';
import { getDb } from '../../lib/db/client';
import { Collections } from '../../lib/db/collections';
import { generateLibrary } from '../../dev/fakes';
import { startMediaFixture, type MediaFixture } from '../helpers/media-fixture';
import { call, isEnvelope, route, routesUnderTest, scanForSecrets, type RouteUnderTest } from './harness';
import { FULL, record, scaled } from './tally';

/**
 * Every route, fuzzed: generated bodies, query strings, path parameters and
 * headers (wrong types, huge values, deep nesting, unicode and lone
 * surrogates, `$` operators, `__proto__`/`constructor`, duplicate keys and
 * parameters, absurd content types and encodings). Properties: never a 5xx;
 * every error is the JSON envelope with a 4xx; CORS only for listed origins;
 * a refused write changes nothing stored. Only 127.0.0.1 is ever contacted:
 * users' URLs are held to the hosted policy and every name resolves to loopback.
 */
jest.setTimeout(FULL ? 600_000 : 120_000);

const PASSWORD = 'correct horse battery';
const USER = 'fuzzer';
const ALLOWED_ORIGIN = 'http://localhost:3000';
const ds = generateLibrary({ seed: 3, movies: 30, episodes: 40, artists: 2, photos: 2, accounts: 2 });

/** dns.lookup that answers 127.0.0.1 for every name, in each of its call forms. */
const loopbackLookup = ((_host: string, ...rest: unknown[]) => {
  const cb = rest.pop() as (e: null, a: unknown, f?: number) => void;
  const opts = (rest[0] ?? {}) as { all?: boolean };
  if (typeof opts === 'object' && opts.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as unknown as typeof dns.lookup;

let fx: MediaFixture;
let token = '';
const secrets: string[] = [PASSWORD];

const login = async (): Promise<string> => {
  const res = await call(route('login'), { body: { username: USER, password: PASSWORD }, ip: '192.0.2.200' });
  if (res.statusCode !== 200) throw new Error(`fuzz user cannot log in: ${res.statusCode} ${res.body}`);
  return res.json<{ token: string }>().token;
};

beforeAll(async () => {
  process.env.UPSTREAM_ALLOW_LAN = 'false';
  process.env.CORS_ALLOWED_ORIGINS = ALLOWED_ORIGIN;
  // Any name a fuzzed URL carries resolves to loopback, which the hosted policy refuses at connect time.
  jest.spyOn(dns, 'lookup').mockImplementation(loopbackLookup);
  fx = await startMediaFixture(ds);
  secrets.push(process.env.PLEX_TOKEN ?? '', process.env.TAUTULLI_API_KEY ?? '');
  await createUser(USER, PASSWORD);
  token = await login();
});
afterAll(async () => {
  await fx.close();
  delete process.env.UPSTREAM_ALLOW_LAN;
  delete process.env.CORS_ALLOWED_ORIGINS;
});

// ---- generators ---------------------------------------------------------------------------

const WEIRD = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  '$ne',
  '{"$gt":""}',
  '\u0000',
  '\ud800',
  '\udfff',
  '💥',
  'e\u0301',
  '../../etc/passwd',
  '%00',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  'http://169.254.169.254/latest',
  'http://127.0.0.1:1',
  'http://[::1]:1',
  'http://10.0.0.1:32400',
  'http://metadata',
  'http://100.100.100.200',
  'file:///etc/passwd',
  'javascript:alert(1)',
  '1e309',
  '-0',
  'NaN',
  'true',
  'null',
  '9'.repeat(400),
] as const;

const weirdString = fc.oneof(
  fc.constantFrom(...WEIRD),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 20 }),
  fc.integer({ min: 1, max: 40_000 }).map((n) => 'A'.repeat(n)),
);
const scalar = fc.oneof(
  weirdString,
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 3650, 3651, 90, 1.5),
  fc.boolean(),
  fc.constant(null),
);

const bodyKeysOf = (r: RouteUnderTest): string[] => {
  const shape = (r.declaration.body as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
};

const valueFor = (keys: string[]) =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      scalar,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.constantFrom(...keys, ...WEIRD.slice(0, 12)), fc.string()), tie('value'), {
        maxKeys: 4,
      }),
    ),
  })).value;

/** A body as text: JSON of the route's own keys with wrong values, any JSON, garbage, duplicates, nesting, size. */
const bodyText = (r: RouteUnderTest) => {
  const keys = [...bodyKeysOf(r), 'version', 'userId', '_id'];
  return fc.oneof(
    fc.dictionary(fc.constantFrom(...keys), valueFor(keys), { maxKeys: 5 }).map((v) => JSON.stringify(v)),
    valueFor(keys).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc
      .tuple(fc.constantFrom(...keys), scalar, scalar)
      .map(([k, a, b]) => `{${JSON.stringify(k)}:${JSON.stringify(a)},${JSON.stringify(k)}:${JSON.stringify(b)}}`),
    fc.integer({ min: 10, max: 5000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 10, max: 3000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.constant(JSON.stringify({ [keys[0] ?? 'a']: 'x'.repeat(20_000) })),
    fc.constant(undefined),
  );
};

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/json; charset=utf-16le',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'application/json, text/plain',
  '',
];
const QUERY_KEYS = ['threshold', 'sort', 'order', 'limit', 'offset', 'format', 'refresh', 'verify', 'token', 'userId'];

const queryArb = fc.dictionary(
  fc.oneof(fc.constantFrom(...QUERY_KEYS, ...WEIRD.slice(0, 8)), fc.string({ maxLength: 8 })),
  fc.oneof(
    weirdString,
    fc.constantFrom('1', '30', '3650', '0', 'true', 'false', 'csv', 'json', 'size', 'asc'),
    // API Gateway joins repeated parameters with commas
    fc.array(fc.constantFrom('1', 'true', 'x', ''), { minLength: 2, maxLength: 3 }).map((a) => a.join(',')),
  ),
  { maxKeys: 5 },
);

const authArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant('valid') },
  { weight: 1, arbitrary: fc.constant('lowercase') },
  { weight: 1, arbitrary: fc.constant('none') },
  { weight: 2, arbitrary: weirdString.map((s) => `Bearer ${s}`) },
  { weight: 1, arbitrary: weirdString },
);

const caseArb = (routes: RouteUnderTest[]) =>
  fc.constantFrom(...routes).chain((r) =>
    fc.record({
      route: fc.constant(r),
      body: bodyText(r),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      base64: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      encoding: fc.option(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-evil'), { nil: undefined }),
      query: queryArb,
      params: fc.oneof(
        fc.constantFrom('1', '2', '3', '4', '0', '999999999', '-1', '1e3', '..', '1 OR 1=1'),
        fc.string({ unit: 'binary', maxLength: 30 }),
      ),
      auth: authArb,
      ifMatch: fc.option(fc.oneof(fc.constantFrom('"v1"', 'W/"v1"', '*', '"v0"'), weirdString), { nil: undefined }),
      origin: fc.option(fc.oneof(fc.constantFrom(ALLOWED_ORIGIN, 'http://evil.example', 'null'), weirdString), {
        nil: undefined,
      }),
      acceptEncoding: fc.option(fc.constantFrom('gzip', '*', 'gzip;q=0', 'br', 'identity;q=1, *;q=0'), {
        nil: undefined,
      }),
      extra: fc.dictionary(
        fc.constantFrom('x-user-id', 'x-forwarded-for', 'cookie', 'x-http-method-override'),
        weirdString,
        {
          maxKeys: 2,
        },
      ),
    }),
  );
type Case = ReturnType<typeof caseArb> extends fc.Arbitrary<infer C> ? C : never;

// ---- the property --------------------------------------------------------------------------

/** Routes that may change stored data: every route that is not a GET. */
const isWrite = (r: RouteUnderTest) => r.method !== 'GET';

/** What a refused request must leave alone (the audit trail and throttle counters are meant to grow). */
const storedState = async (): Promise<string> => {
  const db = await getDb();
  // Everything but the audit trail, the throttle counters and the rebuildable media cache.
  const names = (await db.listCollections().toArray())
    .map((c) => c.name)
    .filter(
      (n) =>
        n !== Collections.audit &&
        n !== Collections.loginFailures &&
        !n.startsWith('media_snapshot') &&
        n !== 'media_access' &&
        n !== 'media_refresh_leases',
    )
    .sort();
  const docs = await Promise.all(names.map((n) => db.collection(n).find().sort({ _id: 1 }).toArray()));
  return JSON.stringify(Object.fromEntries(names.map((n, i) => [n, docs[i]])));
};

const headersOf = (c: Case): Record<string, string> => {
  const h: Record<string, string> = { ...c.extra };
  if (c.contentType) h['content-type'] = c.contentType;
  if (c.encoding) h['content-encoding'] = c.encoding;
  if (c.ifMatch !== undefined) h['if-match'] = c.ifMatch;
  if (c.origin !== undefined) h.origin = c.origin;
  if (c.acceptEncoding) h['accept-encoding'] = c.acceptEncoding;
  if (c.auth === 'valid') h.authorization = `Bearer ${token}`;
  else if (c.auth === 'lowercase') h.authorization = `bearer ${token}`;
  else if (c.auth !== 'none') h.authorization = c.auth;
  return h;
};

/** One generated request; undefined when every property holds, else what broke. */
const runCase = async (c: Case): Promise<string | undefined> => {
  const write = isWrite(c.route);
  const before = write ? await storedState() : '';
  const rawBody = c.base64 && c.body !== undefined ? Buffer.from(c.body).toString('base64') : c.body;
  const res = await call(c.route, {
    rawBody,
    headers: headersOf(c),
    query: c.query,
    pathParameters: Object.fromEntries(c.route.params.map((p) => [p, c.params])),
    ip: `198.51.100.${c.params.length % 250}`,
  });
  const problems: string[] = [];
  if (res.statusCode >= 500) problems.push(`answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
  if (res.statusCode >= 400 && !isEnvelope(res)) problems.push(`error outside the envelope: ${res.body.slice(0, 200)}`);
  if (res.headers['x-content-type-options'] !== 'nosniff') problems.push('no security headers');
  const allowOrigin = res.headers['access-control-allow-origin'];
  if (allowOrigin !== undefined && (allowOrigin !== c.origin || c.origin !== ALLOWED_ORIGIN))
    problems.push(`CORS allowed origin ${allowOrigin}`);
  if (write && res.statusCode >= 400 && (await storedState()) !== before) problems.push('a refused write changed data');
  // Keep the fuzz user usable: a logout ends its session, an accepted PUT is undone.
  if (c.route.name === 'logout' && res.statusCode < 300) token = await login();
  if (c.route.name === 'settingsPut' && res.statusCode < 300)
    await (await getDb()).collection(Collections.settings).deleteMany({});
  return problems.length ? `${c.route.name}: ${problems.join('; ')}` : undefined;
};

it('every route, fuzzed: never a 5xx, always the envelope, CORS allow-list, refused writes change nothing', async () => {
  const routes = routesUnderTest();
  const numRuns = scaled(400, 10_400);
  const details = await fc.check(
    fc.asyncProperty(caseArb(routes), async (c) => {
      const problem = await runCase(c);
      if (problem) throw new Error(problem);
    }),
    { numRuns, seed: Number(process.env.PLM_FUZZ_SEED ?? Date.now() % 2 ** 31) },
  );
  record({
    category: 'fuzz',
    area: `generated requests over all ${routes.length} routes (bodies, queries, paths, headers)`,
    count: details.numRuns,
    failures: details.failed ? 1 : 0,
    detail: `fast-check seed ${details.seed}${details.failed ? `, counterexample path ${details.counterexamplePath}` : ''}`,
  });
  if (details.failed) throw new Error(fc.defaultReportMessage(details));
});

it('leaks no secret in its logs or answers', () => {
  scanForSecrets('fuzzing: every log line and answer', secrets);
});
