import { handler as health } from '../../../functions/health';
import { handler as logout } from '../../../functions/logout';
import { invoke } from '../../../dev/lambda';

describe('CORS allow-list', () => {
  it('echoes an allowed origin and exposes the custom headers', async () => {
    const res = await invoke(health, { path: '/api/health', headers: { origin: 'http://localhost:3000' } });
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['access-control-expose-headers']).toContain('X-Total-Count');
    expect(res.headers.vary).toContain('Origin');
  });

  it('never allows an unlisted origin, nor "*"', async () => {
    const res = await invoke(health, { path: '/api/health', headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('applies to error answers too, with the security headers', async () => {
    const res = await invoke(logout, {
      method: 'POST',
      path: '/api/logout',
      body: {},
      headers: { origin: 'http://localhost:3000' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });
});
