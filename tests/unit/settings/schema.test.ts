import fc from 'fast-check';
import { httpUrlProblem, LibraryIds, Settings, SettingsUpdate, TimeZone } from '../../../lib/settings/schema';

const parse = (body: unknown) => SettingsUpdate.safeParse(body);
const failingPaths = (body: unknown): string[] => {
  const r = parse(body);
  return r.success
    ? []
    : r.error.issues.map((i) => (i.path.length ? i.path.join('.') : `(${'keys' in i ? String(i.keys) : i.code})`));
};

describe('URLs', () => {
  it.each([
    ['http://127.0.0.1:32400', 'http://127.0.0.1:32400'],
    ['https://Plex.Example.com/', 'https://plex.example.com'],
    ['https://host.example/tautulli///', 'https://host.example/tautulli'],
    ['http://[::1]:8181', 'http://[::1]:8181'],
    ['https://192-168-1-2.abcdef.plex.direct:32400', 'https://192-168-1-2.abcdef.plex.direct:32400'],
  ])('accepts %s as %s', (input, normalised) => {
    expect(Settings.shape.plexUrl.parse(input)).toBe(normalised);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'ftp://host/',
    'data:text/html,hi',
    'http://user:pass@host:32400',
    'http://token@host',
    'http://',
    '//host:32400',
    'host:32400',
    'http://host/?X-Plex-Token=abc',
    'http://host/#frag',
    'http://169.254.169.254/latest/meta-data',
    'http://2852039166/',
    'http://[fe80::1]/',
    'http://[::ffff:169.254.169.254]/',
    'http://metadata.google.internal/',
    ' http://host',
    'http://ho st',
    `http://h.example/${'a'.repeat(2100)}`,
  ])('rejects %s', (input) => {
    expect(Settings.shape.plexUrl.safeParse(input).success).toBe(false);
  });

  it('never accepts a non-http(s) scheme (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z][a-z0-9+.-]{0,10}$/), fc.domain(), (scheme, host) => {
        fc.pre(scheme !== 'http' && scheme !== 'https');
        expect(httpUrlProblem(`${scheme}://${host}/`)).toBeDefined();
      }),
    );
  });
});

describe('time zones', () => {
  it('accepts IANA zones and returns the canonical spelling', () => {
    expect(TimeZone.parse('Europe/Berlin')).toBe('Europe/Berlin');
    expect(TimeZone.parse('UTC')).toBe('UTC');
    expect(TimeZone.parse('america/new_york')).toBe('America/New_York');
  });
  it.each(['Mars/Olympus', 'Europe/Berlin; DROP', '', '../../etc/passwd', 'x'.repeat(65)])('rejects %s', (zone) => {
    expect(TimeZone.safeParse(zone).success).toBe(false);
  });
});

describe('excluded library ids', () => {
  it('deduplicates, keeping order', () => {
    expect(LibraryIds.parse(['3', '1', '3', '2', '1'])).toEqual(['3', '1', '2']);
  });
  it.each([[[1]], [['a']], [['-1']], [['12345678901']], [Array.from({ length: 501 }, (_, i) => String(i))], ['3']])(
    'rejects %j',
    (ids) => {
      expect(LibraryIds.safeParse(ids).success).toBe(false);
    },
  );
});

describe('SettingsUpdate (the PUT body)', () => {
  it('accepts any subset, nulls and masked secrets', () => {
    expect(parse({}).success).toBe(true);
    expect(parse({ plexToken: null, plexUrl: null, timezone: null }).success).toBe(true);
    expect(parse({ plexToken: { configured: true, source: 'user', last4: 'abcd', readable: true } }).success).toBe(
      true,
    );
  });

  it.each([
    ['non-object bodies', [], '(invalid_type)'],
    ['a string body', 'plexUrl', '(invalid_type)'],
    ['null body', null, '(invalid_type)'],
    ['unknown field', { plexURL: 'http://h' }, '(plexURL)'],
    ['$-operator as a value', { plexToken: { $ne: null } }, 'plexToken'],
    ['$-operator at the top', { $set: { plexUrl: 'http://h' } }, '($set)'],
    ['$-operator in an array', { excludedLibraryIds: [{ $gt: '' }] }, 'excludedLibraryIds.0'],
    ['constructor key', { constructor: { prototype: { polluted: true } } }, '(constructor)'],
    ['prototype key', { prototype: {} }, '(prototype)'],
    ['a string number', { defaultThresholdDays: '90' }, 'defaultThresholdDays'],
    ['a fraction', { defaultThresholdDays: 1.5 }, 'defaultThresholdDays'],
    ['zero days', { defaultThresholdDays: 0 }, 'defaultThresholdDays'],
    ['too many days', { defaultThresholdDays: 3651 }, 'defaultThresholdDays'],
    ['zero ttl', { cacheTtlMinutes: 0 }, 'cacheTtlMinutes'],
    ['ttl above a week', { cacheTtlMinutes: 10081 }, 'cacheTtlMinutes'],
    ['an empty token', { plexToken: '' }, 'plexToken'],
    ['a token with spaces', { plexToken: 'abc def' }, 'plexToken'],
    ['a huge token', { tautulliApiKey: 'a'.repeat(513) }, 'tautulliApiKey'],
    ['a masked string', { plexToken: '****abcd' }, 'plexToken'],
    ['a masked object with extras', { plexToken: { configured: true, value: 'x' } }, 'plexToken'],
    ['a boolean token', { plexToken: true }, 'plexToken'],
    ['a negative version', { version: -1 }, 'version'],
    ['an unknown source key', { sources: { plexUrl: 'user', evil: 'user' } }, 'sources'],
  ])('rejects %s', (_name, body, path) => {
    expect(failingPaths(body)).toContain(path);
  });

  it('rejects an own __proto__ key as JSON.parse creates it', () => {
    const body: unknown = JSON.parse('{"__proto__": {"polluted": true}, "timezone": "UTC"}');
    expect(failingPaths(body)).toContain('(__proto__)');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never accepts an object with an operator or unknown key anywhere (property)', () => {
    const badKey = fc.oneof(
      fc.stringMatching(/^\$[a-z]{1,8}$/),
      fc.constantFrom('__proto__', 'constructor', 'prototype'),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(
          'plexUrl',
          'plexToken',
          'tautulliApiKey',
          'timezone',
          'defaultThresholdDays',
          'excludedLibraryIds',
          '',
        ),
        badKey,
        fc.jsonValue(),
        (field, key, value) => {
          const inner = JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(value ?? null)}}`) as unknown;
          const body = field ? { [field]: inner } : inner;
          expect(parse(body).success).toBe(false);
        },
      ),
    );
  });

  it('any valid settings object parses, and its parse output parses to itself', () => {
    const arb = fc.record(
      {
        plexUrl: fc
          .webUrl({ withQueryParameters: false, withFragments: false })
          .filter((u) => httpUrlProblem(u) === undefined),
        plexToken: fc.stringMatching(/^[A-Za-z0-9_-]{20}$/),
        defaultThresholdDays: fc.integer({ min: 1, max: 3650 }),
        cacheTtlMinutes: fc.integer({ min: 1, max: 10080 }),
        excludedLibraryIds: fc.array(fc.stringMatching(/^\d{1,5}$/), { maxLength: 20 }),
        timezone: fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Tokyo', 'America/Sao_Paulo'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(arb, (body) => {
        const once = parse(body);
        expect(once.success).toBe(true);
        if (once.success) expect(parse(once.data).data).toEqual(once.data);
      }),
    );
  });
});
