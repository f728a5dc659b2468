import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { buildKeyring, decodeKey, requireCurrentKey } from '../../../lib/crypto/keyring';
import {
  needsResealing,
  openSecret,
  sealSecret,
  SecretBoxError,
  type SealedSecret,
} from '../../../lib/crypto/secret-box';
import { APIError } from '../../../lib/errors';

const hexKey = () => randomBytes(32).toString('hex');
const b64Key = () => randomBytes(32).toString('base64');
const ring = (key = b64Key(), id = 'k1', old?: string) =>
  buildKeyring({ SETTINGS_ENCRYPTION_KEY: key, SETTINGS_ENCRYPTION_KEY_ID: id, SETTINGS_ENCRYPTION_OLD_KEYS: old });
const ctx = { purpose: 'settings', owner: '65f000000000000000000001', field: 'plexToken' };

const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof SecretBoxError ? error.reason : `other: ${String(error)}`;
  }
};

describe('decodeKey', () => {
  it('accepts 32 bytes as hex, base64 and base64url', () => {
    const raw = randomBytes(32);
    expect(decodeKey(raw.toString('hex'))?.equals(raw)).toBe(true);
    expect(decodeKey(raw.toString('base64'))?.equals(raw)).toBe(true);
    expect(decodeKey(raw.toString('base64url'))?.equals(raw)).toBe(true);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['63 hex digits', randomBytes(32).toString('hex').slice(1)],
    ['a passphrase', 'correct horse battery staple and more words'],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(decodeKey(text)).toBeUndefined();
  });
});

describe('keyring', () => {
  it('without a key, sealing is a clear 503 ENCRYPTION_UNAVAILABLE (nothing derived silently)', () => {
    const empty = buildKeyring({ SETTINGS_ENCRYPTION_KEY_ID: 'k1' });
    expect(empty.current).toBeUndefined();
    expect(() => sealSecret('x', ctx, empty)).toThrow(APIError);
    try {
      requireCurrentKey(empty);
    } catch (error) {
      expect(error).toMatchObject({ statusCode: 503, code: 'ENCRYPTION_UNAVAILABLE', expose: true });
      expect((error as Error).message).toContain('SETTINGS_ENCRYPTION_KEY');
    }
  });

  it('a malformed key disables the whole keyring and names the variable, never the value', () => {
    const bad = 'not-a-real-key-value';
    const r = ring(bad);
    expect(r.problem).toContain('SETTINGS_ENCRYPTION_KEY');
    expect(r.problem).not.toContain(bad);
    expect(() => requireCurrentKey(r)).toThrow(expect.objectContaining({ code: 'ENCRYPTION_UNAVAILABLE' }));
  });

  it('a malformed old key entry is reported by position', () => {
    const r = ring(b64Key(), 'k2', `k1:${b64Key()},broken`);
    expect(r.problem).toContain('entry 2');
    expect(r.problem).not.toContain('broken');
  });
});

describe('secret box', () => {
  it('round-trips any string', () => {
    const r = ring(hexKey());
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (plaintext) => {
        expect(openSecret(sealSecret(plaintext, ctx, r), ctx, r)).toBe(plaintext);
      }),
      { numRuns: 200 },
    );
  });

  it('uses a fresh 12-byte IV per value, stores the key id, and never the plaintext', () => {
    const r = ring(b64Key(), 'main');
    const a = sealSecret('same-token-value', ctx, r);
    const b = sealSecret('same-token-value', ctx, r);
    expect(a.iv).not.toBe(b.iv);
    expect(a.ct).not.toBe(b.ct);
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(a.kid).toBe('main');
    expect(JSON.stringify(a)).not.toContain('same-token-value');
  });

  it('binds each ciphertext to its owner and field (AAD)', () => {
    const r = ring();
    const box = sealSecret('token-of-alice', ctx, r);
    expect(reasonOf(() => openSecret(box, { ...ctx, owner: '65f000000000000000000002' }, r))).toBe('tampered');
    expect(reasonOf(() => openSecret(box, { ...ctx, field: 'tautulliApiKey' }, r))).toBe('tampered');
    expect(reasonOf(() => openSecret(box, { ...ctx, purpose: 'other' }, r))).toBe('tampered');
  });

  it('detects any flipped bit of ciphertext, tag or IV, and a relabelled key id', () => {
    const r = ring(b64Key(), 'k2', `k1:${b64Key()}`);
    const box = sealSecret('a-plex-token-123456', ctx, r);
    const flip = (b64: string, byte: number) => {
      const buf = Buffer.from(b64, 'base64');
      buf[byte % buf.length]! ^= 1;
      return buf.toString('base64');
    };
    fc.assert(
      fc.property(fc.constantFrom<'ct' | 'tag' | 'iv'>('ct', 'tag', 'iv'), fc.nat(64), (part, byte) => {
        const tampered: SealedSecret = { ...box, [part]: flip(box[part], byte) };
        expect(reasonOf(() => openSecret(tampered, ctx, r))).toBe('tampered');
      }),
    );
    expect(reasonOf(() => openSecret({ ...box, kid: 'k1' }, ctx, r))).toBe('tampered');
  });

  it('rejects malformed boxes without throwing anything else', () => {
    const r = ring();
    for (const junk of [
      null,
      'string',
      42,
      {},
      { v: 2 },
      { v: 1, kid: 'k1', iv: '!!', ct: '', tag: '' },
      { v: 1, kid: 'k1', iv: 'AAAA', ct: '', tag: 'AAAA' },
    ]) {
      expect(reasonOf(() => openSecret(junk, ctx, r))).toBe('malformed');
    }
  });

  it('rotates: old keys still open, new values use the current key, unknown ids are reported', () => {
    const oldKey = b64Key();
    const before = ring(oldKey, 'k1');
    const box = sealSecret('rotate-me-please', ctx, before);
    const after = ring(hexKey(), 'k2', `k1:${oldKey}`);
    expect(openSecret(box, ctx, after)).toBe('rotate-me-please');
    expect(needsResealing(box, after)).toBe(true);
    const resealed = sealSecret('rotate-me-please', ctx, after);
    expect(resealed.kid).toBe('k2');
    expect(needsResealing(resealed, after)).toBe(false);
    const retired = ring(hexKey(), 'k3');
    expect(reasonOf(() => openSecret(box, ctx, retired))).toBe('unknown_key');
    expect(reasonOf(() => openSecret(box, ctx, buildKeyring({ SETTINGS_ENCRYPTION_KEY_ID: 'k1' })))).toBe('no_key');
  });
});
