import { handler as health } from '../../../functions/health';
import { handler as logout } from '../../../functions/logout';
import { login } from '../../../lib/auth/auth-service';
import { createUser } from '../../../lib/auth/users';
import { resetConfig } from '../../../lib/config';
import { invoke } from '../../../dev/lambda';

/**
 * Who writes which header: behind API Gateway or serverless-offline the gateway
 * does CORS (and the emulator adds its own Vary), so the function must not add
 * them again; without a gateway (npm run serve, direct calls) the spine does.
 */
const asGateway = async <T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
  Object.assign(process.env, env);
  resetConfig();
  try {
    return await fn();
  } finally {
    for (const name of Object.keys(env)) delete process.env[name];
    resetConfig();
  }
};

const varyTokens = (value: string | undefined) => (value ?? '').split(',').map((v) => v.trim().toLowerCase());

describe('headers the gateway writes are written once', () => {
  it('leaves CORS and Vary: Origin to API Gateway and serverless-offline', async () => {
    for (const env of <Array<Record<string, string>>>[
      { AWS_LAMBDA_FUNCTION_NAME: 'plm-health' },
      { AWS_LAMBDA_FUNCTION_NAME: 'plm-local-health', IS_OFFLINE: 'true' },
    ]) {
      const res = await asGateway(env, () =>
        invoke(health, { path: '/api/health', headers: { origin: 'http://localhost:3000' } }),
      );
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-expose-headers']).toBeUndefined();
      expect(varyTokens(res.headers.vary)).not.toContain('origin');
    }
  });

  it('writes each Vary token once where there is no gateway', async () => {
    const res = await invoke(health, { path: '/api/health', headers: { origin: 'http://localhost:3000' } });
    const tokens = varyTokens(res.headers.vary);
    expect(tokens.sort()).toEqual(['accept-encoding', 'origin']);
  });

  it('answers 204 with no body, no content type and nothing to vary on encoding', async () => {
    await createUser('gateway-headers', 'gateway-password-1');
    const { token } = await login('gateway-headers', 'gateway-password-1', {});
    const res = await invoke(logout, { method: 'POST', path: '/api/logout', token });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['content-type']).toBeUndefined();
    expect(varyTokens(res.headers.vary)).not.toContain('accept-encoding');
  });
});
