import type middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { APIError, validationError } from '../../errors';
import { firstDuplicateKey } from '../duplicate-keys';
import { headerOf } from '../headers';
import type { ApiEvent, ApiResult } from '../types';

const JSON_TYPE = /^application\/(.+\+)?json($|;.+)/i;

export interface BodyOptions {
  maxBytes: number;
  /** An absent body means `{}` (e.g. logout, whose fields are all optional). */
  optional: boolean;
}

const bodyText = (event: ApiEvent, raw: string): string =>
  event.isBase64Encoded ? Buffer.from(raw, 'base64').toString() : raw;

/**
 * Throws plm's own 400 unless the body parses as JSON, exactly as Middy's parser
 * will parse it, and names no key twice in one object (JSON.parse would keep the last).
 */
const assertJson = (text: string): void => {
  try {
    JSON.parse(text);
  } catch {
    throw new APIError('The body is not valid JSON', 400, 'INVALID_JSON');
  }
  const duplicate = firstDuplicateKey(text);
  if (duplicate !== undefined)
    throw new APIError('The body names a key twice in one object', 400, 'INVALID_JSON', {
      details: { key: duplicate.slice(0, 64) },
    });
};

/**
 * Guards in front of Middy's JSON parser: a size limit (413), a JSON content
 * type (415), a present body (400) and valid JSON (400 INVALID_JSON). Middy's
 * parser therefore only ever sees a body it can parse, so none of its own
 * errors (whose status and wording change between versions) reaches a client.
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
      throw new APIError(`The body is larger than ${maxBytes} bytes`, 413, 'PAYLOAD_TOO_LARGE', {
        details: { maxBytes },
      });
    }
    const contentType = headerOf(event, 'content-type');
    if (!contentType || !JSON_TYPE.test(contentType)) {
      throw new APIError('The body must be sent as Content-Type: application/json', 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    assertJson(bodyText(event, raw));
    // Media types are case-insensitive; Middy's parser checks case-sensitively under one header name.
    event.headers = { ...event.headers, 'content-type': contentType.toLowerCase() };
  },
});

export const jsonBody = (options: BodyOptions): Array<middy.MiddlewareObj<ApiEvent, ApiResult>> => [
  bodyGuards(options),
  httpJsonBodyParser() as middy.MiddlewareObj<ApiEvent, ApiResult>,
];
