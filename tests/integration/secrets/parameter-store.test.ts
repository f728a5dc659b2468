import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  ParameterStoreSecrets,
  RETRY_AFTER_FAILURE_SECONDS,
  SECRETS_MAX_AGE_SECONDS,
} from '../../../lib/secrets/parameter-store';
import { type FakeSsm, startFakeSsm } from '../../helpers/fake-ssm';

/**
 * The SSM reader through Powertools and the real AWS SDK client, against SSM's
 * JSON protocol on loopback: what is asked for, what is cached, for how long.
 */
let ssm: FakeSsm;
let clock = 0;

const reader = (variables: ConstructorParameters<typeof ParameterStoreSecrets>[0]['variables']) =>
  new ParameterStoreSecrets({
    prefix: '/plm/test',
    variables,
    now: () => clock,
    provider: new SSMProvider({
      clientConfig: {
        endpoint: ssm.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
      },
    }),
  });

beforeEach(async () => {
  clock = 1_000_000;
  ssm = await startFakeSsm({
    '/plm/test/JWT_SECRET': 'jwt-secret-from-ssm-0123456789abcdef',
    '/plm/test/MONGODB_URI': 'mongodb://user:pass@db.example/plm',
  });
});
afterEach(() => ssm.close());

it('reads exactly its parameters in one decrypted GetParameters call, and names the absent ones', async () => {
  const secrets = reader(['MONGODB_URI', 'JWT_SECRET', 'PLEX_TOKEN']);
  await expect(secrets.read()).resolves.toEqual({
    values: { MONGODB_URI: 'mongodb://user:pass@db.example/plm', JWT_SECRET: 'jwt-secret-from-ssm-0123456789abcdef' },
    missing: ['PLEX_TOKEN'],
  });
  expect(ssm.calls).toEqual([
    { names: ['/plm/test/MONGODB_URI', '/plm/test/JWT_SECRET', '/plm/test/PLEX_TOKEN'], withDecryption: true },
  ]);
});

it('reads nothing for a function that may read no secret', async () => {
  await expect(reader([]).read()).resolves.toEqual({ values: {}, missing: [] });
  expect(ssm.calls).toEqual([]);
});

it(`keeps the values ${SECRETS_MAX_AGE_SECONDS} s, then reads them again: a rotated secret takes effect without a redeploy`, async () => {
  const secrets = reader(['JWT_SECRET']);
  const first = await secrets.read();
  ssm.parameters.set('/plm/test/JWT_SECRET', 'rotated-jwt-secret-0123456789abcdef');
  clock += SECRETS_MAX_AGE_SECONDS * 1000 - 1;
  expect(await secrets.read()).toBe(first); // the same read: nothing is rebuilt
  expect(ssm.calls).toHaveLength(1);
  clock += 1;
  expect((await secrets.read()).values.JWT_SECRET).toBe('rotated-jwt-secret-0123456789abcdef');
  expect(ssm.calls).toHaveLength(2);
});

it(`after a failure with nothing to fall back on, throws and tries again only after ${RETRY_AFTER_FAILURE_SECONDS} s`, async () => {
  ssm.failWith = 'AccessDeniedException';
  const secrets = reader(['JWT_SECRET']);
  await expect(secrets.read()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  clock += RETRY_AFTER_FAILURE_SECONDS * 1000 - 1;
  await expect(secrets.read()).rejects.toMatchObject({ name: 'AccessDeniedException' });
  expect(ssm.calls).toHaveLength(1); // a misconfigured function does not call SSM on every request
  ssm.failWith = undefined;
  clock += 1;
  await expect(secrets.read()).resolves.toMatchObject({ values: { JWT_SECRET: expect.any(String) } });
});

it('keeps answering the last good values through a failed refresh, and retries it soon', async () => {
  const secrets = reader(['JWT_SECRET']);
  const good = await secrets.read();
  ssm.failWith = 'AccessDeniedException'; // not retried by the SDK (throttling is, three times, first)
  clock += SECRETS_MAX_AGE_SECONDS * 1000;
  expect(await secrets.read()).toBe(good);
  expect(await secrets.read()).toBe(good);
  expect(ssm.calls).toHaveLength(2);
  ssm.failWith = undefined;
  ssm.parameters.set('/plm/test/JWT_SECRET', 'rotated-jwt-secret-0123456789abcdef');
  clock += RETRY_AFTER_FAILURE_SECONDS * 1000;
  expect((await secrets.read()).values.JWT_SECRET).toBe('rotated-jwt-secret-0123456789abcdef');
});
