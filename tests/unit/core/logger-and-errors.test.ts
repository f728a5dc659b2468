import { REDACTED, logger, redactText } from '../../../lib/logger';
import { capturedLogs } from '../../helpers/logs';
import { toAPIError } from '../../../lib/http/middleware/error-normalizer';
import { bodyGuards } from '../../../lib/http/middleware/json-body';
import type { ApiEvent, ApiResult } from '../../../lib/http/types';
import type middy from '@middy/core';
import { apiEvent } from '../../../dev/lambda';
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
      logger.warn('x', {
        password: 'hunter22',
        nested: { plexToken: 'plex-abc', apiKey: 'k-123' },
        headers: { authorization: 'Bearer abc.def.ghi' },
      }),
    );
    expect(out).toContain(REDACTED);
    for (const secret of ['hunter22', 'plex-abc', 'k-123', 'abc.def.ghi']) expect(out).not.toContain(secret);
  });

  it('formats a logged Error itself (name, message, stack, cause), secrets masked', () => {
    const cause = new Error('connect ECONNREFUSED http://p:32400/?X-Plex-Token=plex-cause-1');
    const out = capture(() =>
      logger.error('x', { error: new Error('GET http://p:32400/library?X-Plex-Token=plex-abc-9', { cause }) }),
    );
    const line = JSON.parse(out.trim().split('\n').pop()!) as {
      error: { name: string; message: string; stack: string; cause: { message: string } };
    };
    expect(line.error).toMatchObject({ name: 'Error', message: `GET http://p:32400/library?X-Plex-Token=${REDACTED}` });
    expect(line.error.stack).toContain('logger-and-errors.test');
    expect(line.error.cause.message).toContain(REDACTED);
    for (const secret of ['plex-abc-9', 'plex-cause-1']) expect(out).not.toContain(secret);
  });

  it('masks secrets inside URLs and texts', () => {
    expect(redactText('GET http://p:32400/library?X-Plex-Token=abc123&x=1')).toBe(
      `GET http://p:32400/library?X-Plex-Token=${REDACTED}&x=1`,
    );
    expect(redactText('/api/v2?apikey=deadbeef&cmd=get_libraries')).toBe(
      `/api/v2?apikey=${REDACTED}&cmd=get_libraries`,
    );
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

  it("answers malformed JSON with 400 INVALID_JSON before Middy's parser sees it", async () => {
    const guard = bodyGuards({ maxBytes: 1024, optional: false }).before!;
    const run = (rawBody: string, isBase64Encoded = false) =>
      guard({
        event: {
          ...apiEvent({ method: 'POST', rawBody, headers: { 'content-type': 'application/json' } }),
          isBase64Encoded,
        },
      } as middy.Request<ApiEvent, ApiResult>);
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    await expect(run('{"username": "carol", ')).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    await expect(run(base64('{"a":'), true)).rejects.toMatchObject({ statusCode: 400, code: 'INVALID_JSON' });
    await expect(run(base64('{"a":1}'), true)).resolves.toBeUndefined();
  });

  it('hides unknown errors and config errors behind a generic 500', () => {
    expect(toAPIError(new Error('secret detail'))).toMatchObject({
      statusCode: 500,
      code: 'INTERNAL_ERROR',
      expose: false,
    });
    expect(toAPIError(new ConfigError('JWT_SECRET is required'))).toMatchObject({ statusCode: 500, expose: false });
  });
});
