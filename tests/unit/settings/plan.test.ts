import type { ServerDefaults } from '../../../lib/settings/defaults';
import { resolveEffective, type StoredState } from '../../../lib/settings/effective';
import { applyUpdate } from '../../../lib/settings/plan';
import { SettingsUpdate } from '../../../lib/settings/schema';
import { maskSecret } from '../../../lib/settings/view';

const defaults: ServerDefaults = {
  plain: {
    plexUrl: 'http://env-plex:32400',
    tautulliUrl: undefined,
    defaultThresholdDays: 90,
    cacheTtlMinutes: 60,
    excludedLibraryIds: [],
    timezone: 'UTC',
  },
  plexToken: 'ENV-PLEX-TOKEN-0123456789',
  tautulliApiKey: 'env-tautulli-key-abcdef',
};
const empty: StoredState = {
  values: {},
  secrets: { plexToken: { state: 'absent' }, tautulliApiKey: { state: 'absent' } },
};
const withToken: StoredState = {
  values: { defaultThresholdDays: 30 },
  secrets: { plexToken: { state: 'readable', value: 'user-token-0123456789' }, tautulliApiKey: { state: 'absent' } },
};
const apply = (stored: StoredState, body: unknown) => applyUpdate(stored, SettingsUpdate.parse(body), defaults);

describe('applyUpdate', () => {
  it('omitted keeps, null clears, equal keeps', () => {
    expect(apply(withToken, {}).changed).toEqual([]);
    expect(apply(withToken, { defaultThresholdDays: 30, plexToken: 'user-token-0123456789' }).changed).toEqual([]);
    const cleared = apply(withToken, { defaultThresholdDays: null, plexToken: null });
    expect(cleared.changed).toEqual(['defaultThresholdDays', 'plexToken']);
    expect(cleared.next.values.defaultThresholdDays).toBeUndefined();
    expect(cleared.next.secrets.plexToken).toEqual({ state: 'absent' });
  });

  it('a masked placeholder keeps the secret, whatever it says', () => {
    const r = apply(withToken, { plexToken: { configured: false } });
    expect(r.changed).toEqual([]);
    expect(r.next.secrets.plexToken).toBe(withToken.secrets.plexToken);
  });

  it('sending the default for an unset field keeps following the default', () => {
    const r = apply(empty, {
      plexUrl: 'http://env-plex:32400/',
      defaultThresholdDays: 90,
      timezone: 'UTC',
      excludedLibraryIds: [],
    });
    expect(r.changed).toEqual([]);
    expect(r.next.values).toEqual({});
  });

  it('clearing an unset field is no change', () => {
    expect(apply(empty, { plexUrl: null, plexToken: null }).changed).toEqual([]);
  });

  it('a new secret replaces an unreadable one', () => {
    const broken: StoredState = {
      ...empty,
      secrets: {
        ...empty.secrets,
        plexToken: { state: 'unreadable', code: 'SECRET_UNREADABLE', reason: 'tampered', box: {} },
      },
    };
    const r = apply(broken, { plexToken: 'fresh-token-0123456789' });
    expect(r.changed).toEqual(['plexToken']);
    expect(r.next.secrets.plexToken).toEqual({ state: 'readable', value: 'fresh-token-0123456789' });
  });
});

describe('resolveEffective', () => {
  it('falls back field by field and pairs the env secret with the env URL', () => {
    const e = resolveEffective(empty, defaults);
    expect(e.plain.plexUrl).toEqual({ value: 'http://env-plex:32400', source: 'default' });
    expect(e.secrets.plexToken).toEqual({ source: 'default', value: 'ENV-PLEX-TOKEN-0123456789' });
    // no env Tautulli URL: the env key alone is not an effective secret
    expect(e.secrets.tautulliApiKey).toEqual({ source: 'none' });
    expect(e.plain.tautulliUrl).toEqual({ value: null, source: 'none' });
  });

  it("never sends the server's token to a URL the user chose", () => {
    const own = { ...empty, values: { plexUrl: 'http://attacker.example' } };
    expect(resolveEffective(own, defaults).secrets.plexToken).toEqual({ source: 'none' });
  });

  it("drops the server's Tautulli for a user on their own Plex (its history is about another server)", () => {
    const withEnvTautulli: ServerDefaults = {
      ...defaults,
      plain: { ...defaults.plain, tautulliUrl: 'http://env-tautulli:8181' },
    };
    expect(resolveEffective(empty, withEnvTautulli).secrets.tautulliApiKey.source).toBe('default');
    const own = resolveEffective({ ...empty, values: { plexUrl: 'http://my-plex:32400' } }, withEnvTautulli);
    expect(own.plain.tautulliUrl).toEqual({ value: null, source: 'none' });
    expect(own.secrets.tautulliApiKey).toEqual({ source: 'none' });
  });

  it("uses the user's own token with the env URL", () => {
    const e = resolveEffective(withToken, defaults);
    expect(e.secrets.plexToken.source).toBe('user');
    expect(e.plain.defaultThresholdDays).toEqual({ value: 30, source: 'user' });
  });
});

describe('maskSecret', () => {
  it('shows last4 of long user secrets only, and nothing of env secrets', () => {
    expect(maskSecret({ source: 'user', stored: { state: 'readable', value: 'user-token-0123456789' } })).toEqual({
      configured: true,
      source: 'user',
      last4: '6789',
      readable: true,
    });
    expect(maskSecret({ source: 'user', stored: { state: 'readable', value: 'short-1234' } }).last4).toBeNull();
    expect(maskSecret({ source: 'default', value: 'ENV-PLEX-TOKEN-0123456789' })).toEqual({
      configured: true,
      source: 'default',
      last4: null,
      readable: true,
    });
    expect(maskSecret({ source: 'none' })).toEqual({ configured: false, source: 'none', last4: null });
  });
});
