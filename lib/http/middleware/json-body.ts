import type middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { APIError, validationError } from '../../errors';
import { headerOf } from '../headers';
import type { ApiEvent, ApiResult } from '../types';

const JSON_TYPE = /^application\/(.+\+)?json($|;.+)/i;

export interface BodyOptions {
  maxBytes: number;
  /** An absent body means `{}` (e.g. logout, whose fields are all optional). */
  optional: boolean;
}

/**
 * Guards in front of Middy's JSON parser: a size limit (413), a JSON content
 * type (415) and a present body (400). The parser's own 415 for malformed JSON
 * is turned into 400 INVALID_JSON by the error normaliser.
 */
export const bodyGuards = ({ maxBytes, optional }: BodyOptions): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  before: async ({ event }) => {
    const raw = event.body;
    if (raw === undefined || raw === null || raw === '') {
      if (!optional) throw validationError([{ location: 'body', path: '', message: 'A JSON body is required' }]);
      event.body = '{}';
      event.isBase64Encoded = false;
      event.headers = { ...event.headers, 'content-type': 'application/json' };
      return;
    }
    const bytes = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : Buffer.byteLength(raw, 'utf8');
    if (bytes > maxBytes) {
      throw new APIError(`The body is larger than ${maxBytes} bytes`, 413, 'PAYLOAD_TOO_LARGE', { details: { maxBytes } });
    }
    const contentType = headerOf(event, 'content-type');
    if (!contentType || !JSON_TYPE.test(contentType)) {
      throw new APIError('The body must be sent as Content-Type: application/json', 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    // Media types are case-insensitive; Middy's parser checks case-sensitively under one header name.
    event.headers = { ...event.headers, 'content-type': contentType.toLowerCase() };
  },
});

export const jsonBody = (options: BodyOptions): Array<middy.MiddlewareObj<ApiEvent, ApiResult>> => [
  bodyGuards(options),
  httpJsonBodyParser() as middy.MiddlewareObj<ApiEvent, ApiResult>,
];
