import type middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { APIError, validationError } from '../../errors';
import type { ApiEvent, ApiResult } from '../types';

const JSON_TYPE = /^application\/(.+\+)?json($|;.+)/i;

/**
 * Guards in front of Middy's JSON parser: a size limit (413), a JSON content
 * type (415) and a present body (400). The parser's own 415 for malformed JSON
 * is turned into 400 INVALID_JSON by the error normaliser.
 */
export const bodyGuards = (maxBytes: number): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async ({ event }) => {
    const raw = event.body;
    if (raw === undefined || raw === null || raw === '') {
      throw validationError([{ location: 'body', path: '', message: 'A JSON body is required' }]);
    }
    const bytes = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
    if (bytes > maxBytes) {
      throw new APIError(`The body is larger than ${maxBytes} bytes`, 413, 'PAYLOAD_TOO_LARGE', { details: { maxBytes } });
    }
    const contentType = event.headers?.['content-type'] ?? event.headers?.['Content-Type'];
    if (!contentType || !JSON_TYPE.test(contentType)) {
      throw new APIError('The body must be sent as Content-Type: application/json', 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  },
});

export const jsonBody = (maxBytes: number): Array<middy.MiddlewareObj<ApiEvent, ApiResult>> => [
  bodyGuards(maxBytes),
  httpJsonBodyParser() as middy.MiddlewareObj<ApiEvent, ApiResult>,
];
