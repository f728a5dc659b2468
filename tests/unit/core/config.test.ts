import { ConfigError, parseConfig } from '../../../lib/config';

const STRONG = `${'k'.repeat(16)}Q9v!x2#Lm7@pR4$w`;
const prod = (extra: Record<string, string> = {}) => ({
  NODE_ENV: 'production',
  JWT_SECRET: STRONG,
  MONGODB_URI: 'mongodb://db.example:27017',
  SETTINGS_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  ...extra,
});

describe('parseConfig', () => {
  it('applies the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ NODE_ENV: 'development', PORT: 3001, JWT_EXPIRY: '24h', BCRYPT_COST: 12, isLocal: true });
    expect(c.JWT_SECRET.length).toBeGreaterThan(20);
  });

  it('stops production without a JWT_SECRET, naming the variable', () => {
    expect(() => parseConfig(prod({ JWT_SECRET: '' }))).toThrow(/JWT_SECRET is required/);
  });

  it.each(['secret', 'short-secret', 'your_jwt_secret'])(
    'refuses the weak JWT_SECRET %p in production without echoing it',
    (weak) => {
      let message = '';
      try {
        parseConfig(prod({ JWT_SECRET: weak }));
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        message = (e as Error).message;
      }
      expect(message).toMatch(/JWT_SECRET is too weak/);
      expect(message).not.toContain(weak === 'secret' ? 'secret"' : weak);
    },
  );

  it('applies the production checks inside AWS Lambda whatever NODE_ENV says', () => {
    expect(() => parseConfig({ NODE_ENV: 'development', AWS_LAMBDA_FUNCTION_NAME: 'plm-prod-login' })).toThrow(
      /JWT_SECRET is required/,
    );
    expect(
      parseConfig({ NODE_ENV: 'development', AWS_LAMBDA_FUNCTION_NAME: 'plm-local-login', IS_OFFLINE: 'true' }).isLocal,
    ).toBe(true);
  });

  it('decides once where it runs, from the variables Lambda and serverless set', () => {
    expect(parseConfig({})).toMatchObject({ runtime: 'node', inLambda: false });
    expect(parseConfig(prod({ AWS_LAMBDA_FUNCTION_NAME: 'plm-prod-login' }))).toMatchObject({
      runtime: 'aws-lambda',
      inLambda: true,
    });
    expect(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'plm-local-login', IS_OFFLINE: 'true' })).toMatchObject({
      runtime: 'serverless-offline',
      inLambda: true,
    });
    expect(parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'plm-dev-warmCache', IS_LOCAL: 'true' })).toMatchObject({
      runtime: 'invoke-local',
      isLocal: true,
    });
  });

  it.each(['3600', '0s', '30s', 'forever', '24\th', '24\nh'])(
    'refuses JWT_EXPIRY=%p (a unit and at least 60s)',
    (v) => {
      expect(() => parseConfig({ JWT_EXPIRY: v })).toThrow(/JWT_EXPIRY/);
    },
  );

  it('accepts a strong production configuration', () => {
    expect(parseConfig(prod()).isLocal).toBe(false);
  });

  it('requires MONGODB_URI and an encryption key in production', () => {
    expect(() => parseConfig(prod({ MONGODB_URI: '' }))).toThrow(/MONGODB_URI/);
    expect(() => parseConfig(prod({ SETTINGS_ENCRYPTION_KEY: '' }))).toThrow(/SETTINGS_ENCRYPTION_KEY/);
  });

  it('refuses a bcrypt cost under 12 outside tests', () => {
    expect(() => parseConfig({ BCRYPT_COST: '8' })).toThrow(/BCRYPT_COST/);
    expect(parseConfig({ NODE_ENV: 'test', BCRYPT_COST: '4' }).BCRYPT_COST).toBe(4);
  });

  it.each([
    ['PORT', 'abc'],
    ['JWT_EXPIRY', 'forever'],
    ['PLEX_URL', 'javascript:alert(1)'],
    ['NODE_ENV', 'staging'],
  ])('rejects %s=%p with a message naming it', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('normalises URLs and splits CORS origins', () => {
    const c = parseConfig({
      PLEX_URL: 'http://plex.local:32400/',
      CORS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    });
    expect(c.PLEX_URL).toBe('http://plex.local:32400');
    expect(c.CORS_ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
});
