import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * SSM Parameter Store on loopback, speaking the service's JSON protocol
 * (POST /, X-Amz-Target: AmazonSSM.GetParameters), so the real AWS SDK client
 * that Powertools uses can be pointed at it (AWS_ENDPOINT_URL_SSM). Never AWS.
 */
export interface FakeSsm {
  url: string;
  /** name → value; change it to rotate a secret */
  parameters: Map<string, string>;
  /** every GetParameters call: the names asked for and whether decryption was asked */
  calls: Array<{ names: string[]; withDecryption: boolean }>;
  /** set to answer every call with this error (e.g. AccessDeniedException) */
  failWith?: string;
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export const startFakeSsm = async (parameters: Record<string, string> = {}): Promise<FakeSsm> => {
  const fake: Omit<FakeSsm, 'url' | 'close'> = { parameters: new Map(Object.entries(parameters)), calls: [] };
  const server: Server = createServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)) || '{}') as { Names?: string[]; WithDecryption?: boolean };
    const answer = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(json));
    };
    if (req.headers['x-amz-target'] !== 'AmazonSSM.GetParameters')
      return answer(400, { __type: 'UnknownOperationException', message: String(req.headers['x-amz-target']) });
    const names = body.Names ?? [];
    fake.calls.push({ names, withDecryption: body.WithDecryption === true });
    if (fake.failWith) return answer(400, { __type: fake.failWith, message: `${fake.failWith} (fake)` });
    const found = names.filter((n) => fake.parameters.has(n));
    answer(200, {
      Parameters: found.map((Name) => ({ Name, Type: 'SecureString', Value: fake.parameters.get(Name), Version: 1 })),
      InvalidParameters: names.filter((n) => !fake.parameters.has(n)),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
};

/** The environment that points the AWS SDK at the fake, with dummy credentials (no profile, no metadata service). */
export const fakeSsmEnv = (fake: FakeSsm): Record<string, string> => ({
  AWS_ENDPOINT_URL_SSM: fake.url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKE0000',
  AWS_SECRET_ACCESS_KEY: 'fake-secret-access-key',
  AWS_EC2_METADATA_DISABLED: 'true',
});
