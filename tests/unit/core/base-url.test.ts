import { resetConfig } from '../../../lib/config';
import { httpUrlProblem } from '../../../lib/settings/schema';
import { baseUrlProblem, normalizeBaseUrl } from '../../../lib/upstream/base-url';

describe('upstream base URLs', () => {
  it.each([
    'http://localhost:32400',
    'http://localhost.:32400',
    'http://foo.localhost.',
    'http://127.0.0.1:9001',
    'http://[::1]:8181',
    'http://0.0.0.0',
    'http://plex.localhost',
    'http://[::ffff:127.0.0.1]',
    'http://[::127.0.0.1]',
    'http://[::ffff:0:7f00:1]',
  ])('a hosted plm refuses a user URL pointing at itself: %s', (url) => {
    expect(baseUrlProblem(url, { allowLoopback: false })).toMatch(/itself/);
    expect(baseUrlProblem(url, { allowLoopback: true })).toBeUndefined();
  });

  it.each(['http://169.254.169.254/latest', 'http://metadata.google.internal', 'http://[fd00:ec2::254]'])(
    'never allows metadata addresses: %s',
    (url) => {
      expect(baseUrlProblem(url, { allowLoopback: true })).toMatch(/metadata/);
    },
  );

  it('allows LAN and public hosts, normalised', () => {
    expect(baseUrlProblem('http://192.168.1.10:32400', { allowLoopback: false })).toBeUndefined();
    expect(normalizeBaseUrl('HTTP://Plex.Example.COM:80/tautulli//')).toBe('http://plex.example.com/tautulli');
  });

  it('applies the loopback rule to user settings outside local/test mode only', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        NODE_ENV: 'production',
        JWT_SECRET: 'p'.repeat(40),
        MONGODB_URI: 'mongodb://db.example',
        SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        BCRYPT_COST: '12',
      });
      resetConfig();
      expect(httpUrlProblem('http://127.0.0.1:32400')).toMatch(/itself/);
    } finally {
      process.env = saved;
      resetConfig();
    }
    expect(httpUrlProblem('http://127.0.0.1:32400')).toBeUndefined();
  });
});
