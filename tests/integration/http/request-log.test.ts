import { handler as health } from '../../../functions/health';
import { handler as login } from '../../../functions/login';
import { resetConfig } from '../../../lib/config';
import { capturedLogs } from '../../helpers/logs';
import { invoke } from '../../../dev/lambda';

const jsonLines = (): Array<Record<string, unknown>> =>
  capturedLogs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the request log line', () => {
  it('has method, route, status, duration, memory and the request id; never the body', async () => {
    const res = await invoke(login, {
      method: 'POST',
      path: '/api/login',
      body: { username: 'nobody', password: 'the-password-123' },
    });
    expect(res.statusCode).toBe(401);
    const line = jsonLines().find((l) => l.message === 'request' && l.route === 'POST /api/login');
    expect(line).toMatchObject({ method: 'POST', status: 401, requestId: res.headers['x-request-id'] });
    expect(typeof line?.durationMs).toBe('number');
    expect(typeof line?.rssMB).toBe('number');
    expect(typeof line?.heapUsedMB).toBe('number');
    expect(capturedLogs()).not.toContain('the-password-123');
  });

  it('warns when memory use passes the configured share of the function memory', async () => {
    process.env.MEMORY_WARN_RATIO = '0.1';
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '128';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'plm-health'; // a real Lambda container
    resetConfig();
    try {
      await invoke(health, { path: '/api/health' });
      expect(
        jsonLines().some((l) => l.message === 'memory use is close to the function limit' && l.limitMB === 128),
      ).toBe(true);
    } finally {
      delete process.env.MEMORY_WARN_RATIO;
      delete process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
      delete process.env.AWS_LAMBDA_FUNCTION_NAME;
      resetConfig();
    }
  });

  it('does not compare a local process (npm start, npm run serve) with the function memory', async () => {
    process.env.MEMORY_WARN_RATIO = '0.1';
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '128';
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'plm-local-health';
    process.env.IS_OFFLINE = 'true';
    resetConfig();
    const before = jsonLines().length;
    try {
      await invoke(health, { path: '/api/health' });
      const lines = jsonLines().slice(before);
      expect(lines.some((l) => l.message === 'request')).toBe(true);
      expect(lines.some((l) => l.message === 'memory use is close to the function limit')).toBe(false);
    } finally {
      for (const name of [
        'MEMORY_WARN_RATIO',
        'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
        'AWS_LAMBDA_FUNCTION_NAME',
        'IS_OFFLINE',
      ])
        delete process.env[name];
      resetConfig();
    }
  });
});
