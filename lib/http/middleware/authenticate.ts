import type middy from '@middy/core';
import { isSessionActive } from '../../auth/sessions';
import { verifyAccessToken } from '../../auth/tokens';
import { unauthorized } from '../../errors';
import { headerOf } from '../headers';
import type { ApiEvent, ApiResult, PlmContext } from '../types';

/** The scheme is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are Bearer too. */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

const MAX_HEADER_LENGTH = 4096;

/** Requires a valid access token whose session is still active (logout is immediate). */
export const authenticate = (): middy.MiddlewareObj<ApiEvent, ApiResult, Error, PlmContext> => ({
  before: async ({ event, context }) => {
    const header = headerOf(event, 'authorization');
    if (!header) throw unauthorized('Authentication required: send Authorization: Bearer <token>', 'UNAUTHORIZED');
    // A real token is a few hundred bytes; a huge one is refused before any parsing.
    const token = header.length <= MAX_HEADER_LENGTH ? BEARER.exec(header.trim())?.[1] : undefined;
    if (!token) throw unauthorized('The Authorization header must be "Bearer <token>"', 'INVALID_TOKEN');
    const claims = verifyAccessToken(token);
    if (!(await isSessionActive(claims.sid, claims.sub)))
      throw unauthorized('The session has ended; log in again', 'SESSION_REVOKED');
    context.plm.user = { id: claims.sub, username: claims.username, sessionId: claims.sid };
  },
});
