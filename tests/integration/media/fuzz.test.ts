import fc from 'fast-check';
import { DatasetBuilder, DEFAULT_NOW } from '../../../dev/fakes';
import { createUserAndLogin } from '../../../dev/users';
import { DAY, getUnused, startMediaFixture, type MediaFixture } from '../../helpers/media-fixture';

/** Whatever a client puts in the path and query, the answer is a 2xx or a 4xx: never a 500. */
const NOW = DEFAULT_NOW;
const b = new DatasetBuilder({ now: NOW });
const movies = b.section('movie');
for (let i = 0; i < 5; i++) b.movie(movies, { title: `Movie ${i}`, addedAt: NOW - (100 + i * 50) * DAY });
b.section('photo');

let fx: MediaFixture;
let token: string;
beforeAll(async () => {
  fx = await startMediaFixture(b.build());
  ({ token } = await createUserAndLogin());
});
afterAll(async () => fx.close());

const KEYS = [
  'threshold',
  'sort',
  'order',
  'limit',
  'offset',
  'format',
  'refresh',
  'thresold',
  '__proto__',
  'constructor',
  '$where',
];
const VALUES = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '90',
    '3650',
    '3651',
    '-1',
    '1e9',
    '0x10',
    '1.5',
    ' 5',
    'NaN',
    'true',
    'false',
    'csv',
    'json',
    'size',
    'title',
    'asc',
    'desc',
    '{"$gt":""}',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);

it('never answers 500 to any query or path (fuzzed)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom(...KEYS), VALUES, { maxKeys: 4 }),
      fc.oneof(
        fc.constantFrom('1', '2', '3', '999999999', '0', '-1', 'abc', '1e3', '%00'),
        fc.string({ maxLength: 12 }),
      ),
      async (query, id) => {
        const res = await getUnused(token, id, query);
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400)
          expect(res.json()).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
      },
    ),
    { numRuns: 150 },
  );
});
