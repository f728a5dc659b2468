import { gzipSync } from 'node:zlib';
import type middy from '@middy/core';
import { usableConfig } from '../../config';
import { APIError } from '../../errors';
import { headerOf } from '../headers';
import { appendVary } from '../response';
import type { ApiEvent, ApiResult } from '../types';

/**
 * gzip for large answers. Lambda caps a response at 6 MB, and a whole-library
 * list can be several times that as JSON; it compresses ~5× (level 1 costs a
 * third of level 6's time for nearly the same ratio here).
 */
export const COMPRESS_ABOVE_BYTES = 16 * 1024;

/** Lambda refuses responses over 6 MB (API Gateway then says 502); keep room for headers. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024;

const tooLarge = (bytes: number) =>
  new APIError(
    'The answer is too large to send uncompressed: ask with Accept-Encoding: gzip (curl --compressed) or page it with limit/offset',
    406,
    'RESPONSE_TOO_LARGE',
    { details: { bytes, maxBytes: MAX_RESPONSE_BYTES } },
  );

/** True when Accept-Encoding allows gzip (explicitly or via `*`) with a non-zero quality. */
export const acceptsGzip = (header: string | undefined): boolean => {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    weights.set(name, q === undefined ? 1 : Number(q) || 0);
  }
  return (weights.get('gzip') ?? weights.get('*') ?? 0) > 0;
};

export const compress = (): middy.MiddlewareObj<ApiEvent, ApiResult> => ({
  after: async ({ event, response }) => {
    if (!response || typeof response.body !== 'string' || response.isBase64Encoded) return;
    const headers = response.headers;
    // serverless-offline's server (hapi) adds `Vary: accept-encoding` itself; a 204 has nothing to encode.
    if (response.body && usableConfig()?.runtime !== 'serverless-offline') appendVary(headers, 'Accept-Encoding');
    if (response.body.length < COMPRESS_ABOVE_BYTES || headers['Content-Encoding']) return;
    const accept = headerOf(event, 'accept-encoding');
    if (!acceptsGzip(accept)) {
      const bytes = Buffer.byteLength(response.body, 'utf8');
      if (bytes > MAX_RESPONSE_BYTES) throw tooLarge(bytes);
      return;
    }
    response.body = gzipSync(response.body, { level: 1 }).toString('base64');
    response.isBase64Encoded = true;
    headers['Content-Encoding'] = 'gzip';
    if (response.body.length > MAX_RESPONSE_BYTES) throw tooLarge(response.body.length);
  },
});
