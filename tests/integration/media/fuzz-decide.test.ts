import fc from 'fast-check';
import { DatasetBuilder, DEFAULT_NOW } from '../../../dev/fakes';
import type { InvokeResult } from '../../../dev/lambda';
import { createUserAndLogin } from '../../../dev/users';
import { deleteKeep, getAccounts, getLibrarySummary, getSummary, putKeep } from '../../helpers/decide-api';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/**
 * Whatever a client sends to the keep, scope and summary routes (path, query,
 * body), the answer is a 2xx or a 4xx with the error shape: never a 500.
 */
const NOW = DEFAULT_NOW;
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
const keys: string[] = [];
for (let i = 0; i < 5; i++) keys.push(b.movie(movies, { title: `Movie ${i}`, addedAt: NOW - (100 + i * 50) * DAY }));
b.play(keys[0]!, { accountId: 2, viewedAt: NOW - 200 * DAY });
b.section('photo');

let fx: MediaFixture;
let token: string;
beforeAll(async () => {
  fx = await startMediaFixture(b.build());
  ({ token } = await createUserAndLogin());
});
afterAll(async () => fx.close());

const TEXT = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '90',
    '30,90',
    '30,,90',
    '1,2,3,4,5,6,7,8,9,10,11',
    '3651',
    '-1',
    '1e9',
    'true',
    'false',
    'anyone',
    'owner',
    'others',
    'user:',
    'user:1',
    'user:2',
    'user:alice',
    'user:99999999999',
    'user:\u0000',
    'user: x',
    '{"$gt":""}',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);
const ID = fc.oneof(fc.constantFrom('1', '2', '3', '999999999', '0', '-1', 'abc', '%00'), fc.string({ maxLength: 12 }));
const ITEM = fc.oneof(fc.constantFrom(...keys, '999999', '1e3', ''), fc.string({ maxLength: 14 }));
const BODY = fc.oneof(
  fc.constant(undefined),
  fc.record(
    {
      note: fc.oneof(fc.string({ maxLength: 600 }), fc.constant(null), fc.integer()),
      expiresAt: fc.oneof(
        fc.constantFrom('2099-01-01T00:00:00Z', '2000-01-01T00:00:00Z', 'tomorrow', '2099-13-01T00:00:00Z', null),
        fc.string({ maxLength: 30 }),
      ),
      $where: fc.string({ maxLength: 5 }),
      ['__proto__']: fc.constant({ admin: true }),
    },
    { requiredKeys: [] },
  ),
  fc.anything({ maxDepth: 2 }),
);

const expectClientAnswer = (res: InvokeResult) => {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400)
    expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
};

it('never answers 500 to any scope or includeKept on unused (fuzzed)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('scope', 'includeKept', 'threshold', 'sort', 'format'), TEXT, { maxKeys: 3 }),
      ID,
      async (query, id) => expectClientAnswer(await getUnused(token, id, query)),
    ),
    { numRuns: 100 },
  );
});

it('never answers 500 to any summary or accounts request (fuzzed)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom('thresholds', 'scope', 'threshold', '__proto__'), TEXT, { maxKeys: 3 }),
      ID,
      async (query, id) => {
        expectClientAnswer(await getLibrarySummary(token, id, query));
        expectClientAnswer(await getSummary(token, query));
        expectClientAnswer(await getAccounts(token, id));
      },
    ),
    { numRuns: 60 },
  );
});

it('never answers 500 to any keep request (fuzzed)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(movies, ...['2', '9', 'x']), ITEM, BODY, async (id, item, body) => {
      expectClientAnswer(await putKeep(token, id, item, body));
      expectClientAnswer(await deleteKeep(token, id, item));
    }),
    { numRuns: 150 },
  );
});
