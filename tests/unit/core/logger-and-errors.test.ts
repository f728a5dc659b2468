import { REDACTED, logger, redactText } from '../../../lib/logger';
import { capturedLogs } from '../../helpers/logs';
import { toAPIError } from '../../../lib/http/middleware/error-normalizer';
import { APIError } from '../../../lib/errors';
import { ConfigError } from '../../../lib/config';

describe('log redaction', () => {
  const capture = (fn: () => void): string => {
    const before = capturedLogs().length;
    fn();
    return capturedLogs().slice(before);
  };

  it('replaces secret-looking attributes at any depth', () => {
    const out = capture(() =>
      logger.warn('x', { password: 'hunter22', nested: { plexToken: 'plex-abc', apiKey: 'k-123' }, headers: { authorization: 'Bearer abc.def.ghi' } }),
    );
    expect(out).toContain(REDACTED);
    for (const secret of ['hunter22', 'plex-abc', 'k-123', 'abc.def.ghi']) expect(out).not.toContain(secret);
  });

  it('masks secrets inside URLs and texts', () => {
    expect(redactText('GET http://p:32400/library?X-Plex-Token=abc123&x=1')).toBe(`GET http://p:32400/library?X-Plex-Token=${REDACTED}&x=1`);
    expect(redactText('/api/v2?apikey=deadbeef&cmd=get_libraries')).toBe(`/api/v2?apikey=${REDACTED}&cmd=get_libraries`);
    expect(redactText('Authorization: Bearer eyJ.abc.def')).not.toContain('eyJ.abc.def');
    const body = redactText('{"username":"bob","password":"hunter22","refreshToken":"abc.def","newPassword":"x\\"y"}');
    expect(body).toContain('"username":"bob"');
    for (const secret of ['hunter22', 'abc.def', 'x\\"y']) expect(body).not.toContain(secret);
  });
});

describe('error normalisation', () => {
  it('keeps APIErrors', () => {
    const e = new APIError('nope', 404, 'LIBRARY_NOT_FOUND');
    expect(toAPIError(e)).toBe(e);
  });

  it('turns Middy malformed-JSON 415 into 400 INVALID_JSON', () => {
    const e = Object.assign(new Error('Invalid or malformed JSON was provided'), { statusCode: 415 });
    expect(toAPIError(e)).toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
  });


  it('hides unknown errors and config errors behind a generic 500', () => {
    expect(toAPIError(new Error('secret detail'))).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR', expose: false });
    expect(toAPIError(new ConfigError('JWT_SECRET is required'))).toMatchObject({ statusCode: 500, expose: false });
  });
});
