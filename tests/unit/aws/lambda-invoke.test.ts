import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { invokeAsync, signV4 } from '../../../lib/aws/lambda-invoke';

describe('Signature Version 4', () => {
  it("reproduces AWS's published example (IAM ListUsers, 2015-08-30)", () => {
    const headers = signV4({
      method: 'GET',
      url: new URL('https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08'),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      region: 'us-east-1',
      service: 'iam',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      date: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
    expect(headers['x-amz-date']).toBe('20150830T123600Z');
  });

  it('signs the session token of temporary credentials', () => {
    const headers = signV4({
      method: 'POST',
      url: new URL('https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/plm-prod-warmCache/invocations'),
      headers: { 'x-amz-invocation-type': 'Event' },
      body: '{}',
      region: 'eu-west-1',
      service: 'lambda',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' },
      date: new Date('2026-01-02T03:04:05Z'),
    });
    expect(headers['x-amz-security-token']).toBe('token');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/20260102\/eu-west-1\/lambda\/aws4_request, SignedHeaders=host;x-amz-date;x-amz-invocation-type;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });
});

describe('invokeAsync', () => {
  const endpoint = async (status: number) => {
    const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }> = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(status).end(status === 202 ? '' : '{"Message":"no"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
  };

  it('POSTs the payload as an Event invocation (as serverless-offline and Lambda take it)', async () => {
    const ep = await endpoint(202);
    try {
      await invokeAsync(
        { endpoint: ep.url, region: 'us-east-1', functionName: 'plm-local-warmCache', credentials: null },
        { build: { sectionId: '1' } },
      );
      expect(ep.seen).toEqual([
        expect.objectContaining({
          method: 'POST',
          url: '/2015-03-31/functions/plm-local-warmCache/invocations',
          body: '{"build":{"sectionId":"1"}}',
          headers: expect.objectContaining({ 'x-amz-invocation-type': 'Event' }),
        }),
      ]);
    } finally {
      ep.close();
    }
  });

  it('signs when it has credentials, and fails loudly when the invocation is refused', async () => {
    const ep = await endpoint(403);
    try {
      const target = {
        endpoint: ep.url,
        region: 'us-east-1',
        functionName: 'plm-prod-warmCache',
        credentials: { accessKeyId: 'AKID', secretAccessKey: 's' },
      };
      await expect(invokeAsync(target, {})).rejects.toThrow(
        /did not accept the invocation of plm-prod-warmCache: HTTP 403/,
      );
      expect(ep.seen[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\//);
      await expect(invokeAsync({ ...target, functionName: 'x/../y' }, {})).rejects.toThrow(
        /not a Lambda function name/,
      );
    } finally {
      ep.close();
    }
  });
});
