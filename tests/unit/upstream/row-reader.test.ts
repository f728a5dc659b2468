import fc from 'fast-check';
import type { z } from 'zod';
import { readHistoryRow, readMetadata, readPage, type RowRead } from '../../../lib/plex/rows';
import { historyRowSchema, metadataSchema, pageSchema } from '../../../lib/plex/schemas';
import { readMediaInfo } from '../../../lib/tautulli/rows';
import { mediaInfoSchema } from '../../../lib/tautulli/schemas';

/**
 * The row readers are a fast path in front of the zod schemas: whatever they
 * accept, zod accepts with the same output; whatever zod refuses, they refuse.
 * (They may refuse more: zod then reads the page.)
 */

/** Every kind of value an upstream could send for a field. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, -0, 1e21, Number.NaN, Number.POSITIVE_INFINITY),
  fc.integer().map(String),
  fc.integer().map((n) => ` ${n}  `),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('1e5', '0x10', '12a', '-3.25', '007', '  ', 'abc', '/library/metadata/42'),
  fc.string(),
  fc.constant([]),
  fc.constant({}),
);

/** A row: the schema's own fields with arbitrary values (often valid ones), plus a stray field. */
const rowOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc.record({ ...Object.fromEntries(Object.entries(fields)), stray: anyValue }, { requiredKeys: [] });

const validNum = fc.oneof(fc.integer({ min: 0, max: 2e9 }), fc.integer({ min: 0, max: 2e9 }).map(String));
const field = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue });

const part = rowOf({ size: field(validNum) });
const media = rowOf({ Part: field(fc.array(fc.oneof(part, anyValue), { maxLength: 3 })) });
const metadataRow = rowOf({
  ratingKey: field(fc.integer({ min: 1 }).map(String)),
  type: field(fc.constantFrom('movie', 'show', 'episode')),
  title: field(fc.string()),
  year: field(validNum),
  addedAt: field(validNum),
  updatedAt: field(validNum),
  lastViewedAt: field(validNum),
  viewCount: field(validNum),
  leafCount: field(validNum),
  viewedLeafCount: field(validNum),
  childCount: field(validNum),
  parentRatingKey: field(fc.integer({ min: 1 })),
  grandparentRatingKey: field(fc.integer({ min: 1 }).map(String)),
  parentTitle: field(fc.string()),
  Media: field(fc.array(fc.oneof(media, anyValue), { maxLength: 3 })),
});
const historyRow = rowOf({
  ratingKey: field(fc.integer({ min: 1 }).map(String)),
  key: field(fc.constant('/library/metadata/7')),
  parentKey: field(fc.string()),
  grandparentKey: field(fc.string()),
  librarySectionID: field(fc.integer({ min: 1 })),
  viewedAt: field(validNum),
  accountID: field(validNum),
});
const validNumOrNull = fc.oneof(validNum, fc.constant(null), fc.constant(''));
const tautulliRow = rowOf({
  rating_key: field(fc.integer({ min: 1 }).map(String)),
  title: field(fc.oneof(fc.string(), fc.integer())),
  media_type: field(fc.constantFrom('movie', 'show')),
  added_at: field(validNum),
  year: field(validNumOrNull),
  file_size: field(validNumOrNull),
  last_played: field(validNumOrNull),
  play_count: field(validNumOrNull),
});

const agrees = <T>(schema: z.ZodType, fast: T | undefined, value: unknown): void => {
  const slow = schema.safeParse(value);
  if (fast !== undefined) {
    expect(slow.success).toBe(true);
    expect(fast).toEqual(slow.data);
  }
  if (!slow.success) expect(fast).toBeUndefined();
};

const pageOf = (row: fc.Arbitrary<unknown>) =>
  fc.oneof(
    fc.record(
      {
        MediaContainer: fc.oneof(
          fc.record(
            { size: field(validNum), totalSize: field(validNum), Metadata: field(fc.array(row, { maxLength: 4 })) },
            { requiredKeys: [] },
          ),
          anyValue,
        ),
      },
      { requiredKeys: [] },
    ),
    anyValue,
  );

describe('row readers agree with the zod schemas', () => {
  const plexPages: Array<[string, fc.Arbitrary<unknown>, RowRead<unknown>, z.ZodType]> = [
    ['Plex listing', metadataRow, readMetadata, metadataSchema],
    ['Plex history', historyRow, readHistoryRow, historyRowSchema],
  ];
  it.each(plexPages)('%s pages', (_name, row, read, schema) => {
    fc.assert(
      fc.property(pageOf(row), (page) => agrees(pageSchema(schema), readPage(page, read), page)),
      { numRuns: 1500 },
    );
  });

  it('Tautulli media info', () => {
    const info = fc.record(
      {
        draw: field(validNum),
        recordsTotal: field(validNum),
        recordsFiltered: field(validNum),
        last_refreshed: field(validNumOrNull),
        data: field(
          fc.array(fc.oneof({ weight: 5, arbitrary: tautulliRow }, { weight: 1, arbitrary: anyValue }), {
            maxLength: 4,
          }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(info, anyValue), (data) => agrees(mediaInfoSchema, readMediaInfo(data), data)),
      { numRuns: 1500 },
    );
  });

  it('reads well-formed rows itself (zod is only the fallback)', () => {
    expect(
      readPage(
        {
          MediaContainer: {
            size: 1,
            totalSize: '3',
            Metadata: [{ ratingKey: 7, type: 'movie', title: 1917, addedAt: '5' }],
          },
        },
        readMetadata,
      ),
    ).toEqual({
      MediaContainer: {
        size: 1,
        totalSize: 3,
        Metadata: [{ ratingKey: '7', type: 'movie', title: '1917', addedAt: 5 }],
      },
    });
    expect(
      readMediaInfo({
        draw: 1,
        recordsTotal: 1,
        recordsFiltered: 1,
        data: [{ rating_key: '1', title: 'x', media_type: 'movie', added_at: '2', file_size: '' }],
      }),
    ).toEqual({
      draw: 1,
      recordsTotal: 1,
      recordsFiltered: 1,
      data: [{ rating_key: '1', title: 'x', media_type: 'movie', added_at: 2, file_size: null }],
    });
  });
});
