/**
 * Response bodies of the media endpoints. A whole-library answer can be tens
 * of MB of JSON, far over Lambda's 6 MB response cap, so bodies above a few KB
 * are gzip-compressed when the client accepts it (JSON of this shape
 * compresses ~5× at level 1, which costs a third of level 6's time). The spine has no compression middleware yet; this belongs
 * there eventually.
 */
import { gzipSync } from 'node:zlib';
import type { ApiEvent, ApiResult } from '../http/types';

const COMPRESS_ABOVE_BYTES = 16 * 1024;

const acceptsGzip = (event: ApiEvent): boolean => {
  const header = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'accept-encoding')?.[1] ?? '';
  return /(^|[,\s])(gzip|\*)(\s*;\s*q=(1|0?\.\d*[1-9]\d*))?\s*(,|$)/i.test(header) && !/gzip\s*;\s*q=0(\.0*)?\s*(,|$)/i.test(header);
};

export const respond = (event: ApiEvent, body: string, contentType: string, headers: Record<string, string>): ApiResult => {
  const base = { 'Content-Type': contentType, Vary: 'Accept-Encoding', ...headers };
  if (body.length > COMPRESS_ABOVE_BYTES && acceptsGzip(event)) {
    return { statusCode: 200, headers: { ...base, 'Content-Encoding': 'gzip' }, body: gzipSync(body, { level: 1 }).toString('base64'), isBase64Encoded: true };
  }
  return { statusCode: 200, headers: base, body };
};
