import { gunzipSync } from 'node:zlib';
import * as z from 'zod';
import { httpHandler } from '../../../lib/http/handler';
import { COMPRESS_ABOVE_BYTES, MAX_RESPONSE_BYTES, acceptsGzip } from '../../../lib/http/middleware/compress';
import { ok } from '../../../lib/http/response';
import { apiEvent, lambdaContext } from '../../../dev/lambda';

const big = Array.from({ length: 2000 }, (_, i) => ({ id: String(i), title: `Title ${i}`, sizeBytes: i * 1000 }));

const handler = httpHandler(
  {
    route: 'GET /test/big',
    auth: false,
    query: z.strictObject({ n: z.string().optional(), huge: z.literal('true').optional() }),
  },
  async ({ query }) => {
    // ~7 MB of JSON: over Lambda's 6 MB response limit unless compressed
    if (query.huge) return ok(Array.from({ length: 70_000 }, (_, i) => ({ id: i, text: `row ${i} `.padEnd(80, 'x') })));
    return ok(query.n ? big.slice(0, Number(query.n)) : big);
  },
);

const call = async (headers: Record<string, string>, query: Record<string, string> = {}) =>
  (await handler(apiEvent({ path: '/test/big', headers, query }), lambdaContext() as never)) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    isBase64Encoded?: boolean;
  };

describe('compression of large answers', () => {
  it('gzips bodies over the threshold when the client accepts gzip', async () => {
    const res = await call({ 'accept-encoding': 'gzip, deflate, br' });
    expect(res.headers['Content-Encoding']).toBe('gzip');
    expect(res.isBase64Encoded).toBe(true);
    expect(res.headers.Vary).toContain('Accept-Encoding');
    const body = gunzipSync(Buffer.from(res.body, 'base64')).toString('utf8');
    expect(JSON.parse(body)).toEqual(big);
    expect(Buffer.from(res.body, 'base64').length).toBeLessThan(body.length / 3);
  });

  it('sends plain JSON to clients that do not accept gzip', async () => {
    const variants: Array<Record<string, string>> = [
      {},
      { 'accept-encoding': 'identity' },
      { 'accept-encoding': 'gzip;q=0, br' },
    ];
    for (const header of variants) {
      const res = await call(header);
      expect(res.headers['Content-Encoding']).toBeUndefined();
      expect(JSON.parse(res.body)).toHaveLength(big.length);
    }
  });

  it('answers 406 RESPONSE_TOO_LARGE instead of a body Lambda would refuse, unless gzip makes it fit', async () => {
    const plain = await call({}, { huge: 'true' });
    expect(plain.statusCode).toBe(406);
    expect(JSON.parse(plain.body)).toMatchObject({ error: { code: 'RESPONSE_TOO_LARGE' } });
    const zipped = await call({ 'accept-encoding': 'gzip' }, { huge: 'true' });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.body.length).toBeLessThan(MAX_RESPONSE_BYTES);
  });

  it('leaves small bodies alone', async () => {
    const res = await call({ 'accept-encoding': 'gzip' }, { n: '3' });
    expect(res.body.length).toBeLessThan(COMPRESS_ABOVE_BYTES);
    expect(res.headers['Content-Encoding']).toBeUndefined();
  });

  it.each([
    ['gzip', true],
    ['GZIP;q=0.5', true],
    ['*', true],
    ['br, *;q=0.1', true],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['deflate, br', false],
    ['', false],
  ])('Accept-Encoding %p → %p', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
