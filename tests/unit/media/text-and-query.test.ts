import { csvCell, toCsv } from '../../../lib/media/csv';
import { UnusedQuery } from '../../../lib/media/query';
import { ago, reasonFor } from '../../../lib/media/rules/reasons';
import type { SnapshotItem } from '../../../lib/media/types';

const NOW_S = 1_760_000_000;
const DAY = 86_400;
const item = (over: Partial<SnapshotItem> = {}): SnapshotItem => ({
  id: '1',
  title: 'T',
  sortTitle: 't',
  year: 2000,
  type: 'movie',
  addedAt: NOW_S - 800 * DAY,
  lastAddedAt: NOW_S - 800 * DAY,
  lastAddedByChild: false,
  lastPlayedAt: null,
  playSource: null,
  playedBy: null,
  playCount: 0,
  sizeBytes: 1,
  ...over,
});

describe('reasons', () => {
  it('formats ages', () => {
    expect([ago(0), ago(DAY), ago(412 * DAY + 5), ago(800 * DAY)]).toEqual([
      'today',
      '1 day ago',
      '412 days ago',
      '2 years ago',
    ]);
  });
  it('explains never-played items', () => {
    expect(reasonFor(item(), NOW_S * 1000, 'ok')).toBe('never played; added 2 years ago');
    expect(reasonFor(item(), NOW_S * 1000, 'unavailable')).toBe('never played (Plex data only); added 2 years ago');
    expect(
      reasonFor(item({ type: 'show', lastAddedAt: NOW_S - 100 * DAY, lastAddedByChild: true }), NOW_S * 1000, 'ok'),
    ).toBe('never played; newest episode added 100 days ago');
  });
  it('names source and player of the last play', () => {
    expect(
      reasonFor(
        item({ lastPlayedAt: NOW_S - 412 * DAY, playSource: 'tautulli', playedBy: 'other' }),
        NOW_S * 1000,
        'ok',
      ),
    ).toBe('last played 412 days ago by another user (Tautulli)');
    expect(
      reasonFor(
        item({ lastPlayedAt: NOW_S - 412 * DAY, playSource: 'tautulli', playedBy: 'unknown' }),
        NOW_S * 1000,
        'ok',
      ),
    ).toBe('last played 412 days ago (Tautulli)');
    expect(
      reasonFor(item({ lastPlayedAt: NOW_S - 200 * DAY, playSource: 'plex', playedBy: 'owner' }), NOW_S * 1000, 'ok'),
    ).toBe('last played 200 days ago by the owner (Plex)');
  });
  it('mentions a later addition when that set the clock', () => {
    const r = reasonFor(
      item({
        type: 'show',
        lastPlayedAt: NOW_S - 500 * DAY,
        playSource: 'plex-history',
        playedBy: 'other',
        lastAddedAt: NOW_S - 120 * DAY,
        lastAddedByChild: true,
      }),
      NOW_S * 1000,
      'ok',
    );
    expect(r).toBe('last played 500 days ago by another user (Plex history); newest episode added 120 days ago');
  });
});

describe('CSV', () => {
  it('quotes per RFC 4180 and ends lines with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
  });
  it('neutralises spreadsheet formulas', () => {
    for (const s of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(s).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell(-1)).toBe('-1'); // numbers are numbers
  });
});

describe('UnusedQuery', () => {
  const parse = (q: Record<string, string>) => UnusedQuery.safeParse(q);
  it('accepts plain digits and applies defaults', () => {
    const r = parse({ threshold: '30' });
    expect(r.success && r.data).toEqual({
      threshold: 30,
      sort: 'lastActivity',
      offset: 0,
      format: 'json',
      refresh: false,
    });
    expect(
      parse({ threshold: '3650', limit: '10', offset: '5', sort: 'size', order: 'asc', format: 'csv', refresh: 'true' })
        .success,
    ).toBe(true);
  });
  it.each(['1e9', '0x10', '1.5', '-1', '0', 'abc', '', ' 5', '3651', '99999999999', '30,60'])(
    'rejects threshold=%j',
    (v) => {
      const r = parse({ threshold: v });
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.path).toEqual(['threshold']);
    },
  );
  it.each([
    ['sort', 'name'],
    ['order', 'up'],
    ['limit', '0'],
    ['limit', '10001'],
    ['offset', '-1'],
    ['format', 'xml'],
    ['refresh', 'yes'],
    ['treshold', '30'],
  ])('rejects %s=%s', (k, v) => {
    expect(parse({ [k]: v }).success).toBe(false);
  });
});
