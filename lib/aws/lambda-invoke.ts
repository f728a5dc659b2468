/**
 * Asynchronous Lambda invocation (`InvocationType: Event`) as one signed POST
 * to the Lambda API, without the AWS SDK (nothing to bundle or load for a
 * call a request makes once per build). Signature Version 4 as AWS documents
 * it (tests/unit/aws/lambda-invoke.test.ts checks it against AWS's published
 * example). serverless-offline's Lambda endpoint (`npm start`) takes the same
 * request and ignores the signature.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface InvokeTarget {
  /** `https://lambda.<region>.amazonaws.com`, or serverless-offline's `http://127.0.0.1:<lambdaPort>`. */
  endpoint: string;
  region: string;
  functionName: string;
  /** Null: an unsigned request (serverless-offline). */
  credentials: AwsCredentials | null;
}

export interface SignInput {
  method: string;
  url: URL;
  /** Lower-case names; all of them are signed. */
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
  credentials: AwsCredentials;
  date: Date;
}

const sha256 = (data: string): string => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const canonicalQuery = (url: URL): string =>
  [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');

/** The headers to send: `headers` plus host, x-amz-date, the session token and Authorization. */
export const signV4 = (input: SignInput): Record<string, string> => {
  const amzDate = input.date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...input.headers, host: input.url.host, 'x-amz-date': amzDate };
  if (input.credentials.sessionToken) headers['x-amz-security-token'] = input.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    input.method,
    // Every path segment encoded (non-S3 services: the path as sent, encoded once more).
    input.url.pathname
      .split('/')
      .map((seg) => uriEncode(seg))
      .join('/'),
    canonicalQuery(input.url),
    ...names.map((n) => `${n}:${String(headers[n]).trim().replace(/\s+/g, ' ')}`),
    '',
    signedHeaders,
    sha256(input.body),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
};

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,140}$/;

/** Queues one invocation of `functionName` with `payload`; resolves once Lambda accepted it (HTTP 202). */
export const invokeAsync = async (
  target: InvokeTarget,
  payload: unknown,
  fetchFn: typeof fetch = fetch,
): Promise<void> => {
  if (!FUNCTION_NAME.test(target.functionName)) throw new Error(`not a Lambda function name: ${target.functionName}`);
  const url = new URL(`/2015-03-31/functions/${target.functionName}/invocations`, target.endpoint);
  const body = JSON.stringify(payload);
  const base = { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' };
  const headers = target.credentials
    ? signV4({
        method: 'POST',
        url,
        headers: base,
        body,
        region: target.region,
        service: 'lambda',
        credentials: target.credentials,
        date: new Date(),
      })
    : base;
  const res = await fetchFn(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
  const text = await res.text();
  if (res.status !== 202)
    throw new Error(
      `Lambda did not accept the invocation of ${target.functionName}: HTTP ${res.status} ${text.slice(0, 200)}`,
    );
};
