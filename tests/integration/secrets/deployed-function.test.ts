import { handler as health } from '../../../functions/health';
import { handler as login } from '../../../functions/login';
import { handler as openapi } from '../../../functions/openapi';
import { handler as warmCache } from '../../../functions/warm-cache';
import { createUser } from '../../../lib/auth/users';
import { loadConfig, resetConfig } from '../../../lib/config';
import { closeDb } from '../../../lib/db/client';
import { invoke } from '../../../dev/lambda';
import { type FakeSsm, fakeSsmEnv, startFakeSsm } from '../../helpers/fake-ssm';
import { capturedLogs, registerSecret } from '../../helpers/logs';

/**
 * The real handlers as deployed: PLM_SSM_PREFIX set, no secret in the
 * environment, each function reading its own secrets from SSM Parameter Store
 * (on loopback) through the real SDK client. And what a misconfigured one answers.
 */
const JWT = 'jwt-secret-read-from-ssm-0123456789abcdef';
const SECRET_NAMES = ['JWT_SECRET', 'MONGODB_URI', 'SETTINGS_ENCRYPTION_KEY', 'SETTINGS_ENCRYPTION_OLD_KEYS'];
const saved = { ...process.env };
const databaseUri = process.env.MONGODB_URI ?? '';
let ssm: FakeSsm;

/** Runs as the deployed function `name` of stage prod. */
const deployedAs = (name: string): void => {
  resetConfig();
  process.env.AWS_LAMBDA_FUNCTION_NAME = `plm-prod-${name}`;
};

beforeAll(async () => {
  registerSecret(JWT);
  ssm = await startFakeSsm();
});
afterAll(() => ssm.close());

beforeEach(async () => {
  ssm.parameters.clear();
  ssm.parameters.set('/plm/prod/JWT_SECRET', JWT);
  ssm.parameters.set('/plm/prod/MONGODB_URI', databaseUri);
  ssm.parameters.set('/plm/prod/SETTINGS_ENCRYPTION_KEY', saved.SETTINGS_ENCRYPTION_KEY ?? '');
  ssm.calls.length = 0;
  ssm.failWith = undefined;
  for (const name of SECRET_NAMES) delete process.env[name];
  Object.assign(process.env, fakeSsmEnv(ssm), { PLM_SSM_PREFIX: '/plm/prod' });
});

afterEach(async () => {
  await closeDb();
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  resetConfig();
});

const misconfigured = {
  error: {
    code: 'SERVICE_MISCONFIGURED',
    message: 'The service is misconfigured; its operator will find the cause in the logs',
  },
};

it('logs in with the secrets it read, asking SSM for exactly its own two', async () => {
  deployedAs('login');
  await loadConfig();
  await createUser('ssm-user', 'ssm-user-password');
  const res = await invoke(login, {
    method: 'POST',
    path: '/api/login',
    body: { username: 'ssm-user', password: 'ssm-user-password' },
  });
  expect(res.statusCode).toBe(200);
  expect(ssm.calls).toEqual([{ names: ['/plm/prod/MONGODB_URI', '/plm/prod/JWT_SECRET'], withDecryption: true }]);
});

it('answers 503 SERVICE_MISCONFIGURED when a parameter is missing, and logs the cause once', async () => {
  ssm.parameters.delete('/plm/prod/JWT_SECRET');
  deployedAs('login');
  const from = capturedLogs().length;
  for (let i = 0; i < 3; i++) {
    const res = await invoke(login, {
      method: 'POST',
      path: '/api/login',
      body: { username: 'x', password: 'y' },
      headers: { origin: 'http://localhost:3000' },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual(misconfigured);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).not.toContain('/plm/prod');
  }
  const logs = capturedLogs().slice(from);
  const cause = 'required SSM parameters are missing or empty: /plm/prod/JWT_SECRET';
  expect(logs.split(cause)).toHaveLength(2); // once, not once per request
  expect(ssm.calls).toHaveLength(1); // and SSM is not asked again for 30 s
});

it('answers 503 SERVICE_MISCONFIGURED when SSM refuses, naming the cause in the log only', async () => {
  ssm.failWith = 'AccessDeniedException';
  deployedAs('login');
  const from = capturedLogs().length;
  const res = await invoke(login, { method: 'POST', path: '/api/login', body: { username: 'x', password: 'y' } });
  expect(res.statusCode).toBe(503);
  expect(res.json()).toEqual(misconfigured);
  expect(capturedLogs().slice(from)).toContain('SSM Parameter Store could not be read under /plm/prod');
});

it('health reads the database URI only, and says so when it is missing', async () => {
  ssm.parameters.delete('/plm/prod/JWT_SECRET');
  deployedAs('health');
  const up = await invoke(health, { path: '/api/health' });
  expect(up.statusCode).toBe(200);
  expect(up.json()).toMatchObject({ status: 'ok', mongodb: { ok: true } });
  expect(ssm.calls).toEqual([{ names: ['/plm/prod/MONGODB_URI'], withDecryption: true }]);

  await closeDb();
  ssm.parameters.delete('/plm/prod/MONGODB_URI');
  deployedAs('health');
  const down = await invoke(health, { path: '/api/health' });
  expect(down.statusCode).toBe(503);
  expect(down.json()).toEqual(misconfigured);
});

it('the OpenAPI document reads no secret and works while SSM is unusable', async () => {
  ssm.failWith = 'AccessDeniedException';
  deployedAs('openapi');
  const res = await invoke(openapi, { path: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  expect(ssm.calls).toEqual([]);
});

it('the scheduled warmer fails loudly (and is logged) rather than running without its secrets', async () => {
  ssm.parameters.delete('/plm/prod/SETTINGS_ENCRYPTION_KEY');
  deployedAs('warmCache');
  const from = capturedLogs().length;
  await expect((warmCache as unknown as (e: unknown) => Promise<unknown>)({})).rejects.toThrow(
    /SETTINGS_ENCRYPTION_KEY/,
  );
  expect(capturedLogs().slice(from)).toContain('plm is misconfigured');
});
