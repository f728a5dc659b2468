import { ConfigError, getConfig, parseConfig, resetConfig } from '../../../lib/config';
import {
  FUNCTION_SECRET_ACCESS,
  functionKeyOf,
  ROLE_OF_ACCESS,
  SECRET_ACCESS,
  SECRET_VARIABLES,
  secretsReadableBy,
} from '../../../lib/secrets/catalog';
import { parseServerlessYml, readRootFile } from '../../helpers/deploy-files';

const prod = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  NODE_ENV: 'production',
  AWS_LAMBDA_FUNCTION_NAME: 'plm-prod-health',
  ...extra,
});

describe('which function reads which secret (lib/secrets/catalog.ts)', () => {
  const yml = parseServerlessYml(readRootFile('serverless.yml')) as ReturnType<typeof parseServerlessYml> & {
    functions: Record<string, { role?: string }>;
  };

  it('lists every serverless.yml function, and each names the role of its access', () => {
    expect(Object.keys(FUNCTION_SECRET_ACCESS).sort()).toEqual(Object.keys(yml.functions).sort());
    for (const [name, fn] of Object.entries(yml.functions)) {
      const access = FUNCTION_SECRET_ACCESS[name] ?? 'none';
      expect({ name, role: fn.role }).toEqual({ name, role: access === 'none' ? undefined : ROLE_OF_ACCESS[access] });
    }
  });

  it('finds the function from the Lambda name, whatever the stage', () => {
    expect(functionKeyOf('plm-prod-changePassword')).toBe('changePassword');
    expect(functionKeyOf('plm-my-stage-health')).toBe('health');
    expect(secretsReadableBy('plm-prod-health')).toEqual(['MONGODB_URI']);
    expect(secretsReadableBy('plm-prod-openapi')).toEqual([]);
    expect(secretsReadableBy('plm-prod-somethingNew')).toEqual([]); // unlisted: nothing
    expect(secretsReadableBy(undefined)).toEqual(SECRET_VARIABLES); // scripts, tests
    expect(SECRET_ACCESS.all).toEqual(SECRET_VARIABLES);
  });
});

describe('parseConfig for a function that may read only some secrets', () => {
  it('requires in production only the secrets the function reads', () => {
    const health = parseConfig(prod({ MONGODB_URI: 'mongodb://db' }), ['MONGODB_URI']);
    expect(health.MONGODB_URI).toBe('mongodb://db');
    expect(() => parseConfig(prod(), ['MONGODB_URI'])).toThrow(/MONGODB_URI is required/);
    expect(() => parseConfig(prod({ MONGODB_URI: 'mongodb://db' }), ['MONGODB_URI', 'JWT_SECRET'])).toThrow(
      /JWT_SECRET is required/,
    );
  });

  it('fails loudly when a function reads the JWT secret it was not given', () => {
    const config = parseConfig(prod({ MONGODB_URI: 'mongodb://db' }), ['MONGODB_URI']);
    expect(() => config.JWT_SECRET).toThrow(ConfigError);
    expect(() => config.JWT_SECRET).toThrow(
      'JWT_SECRET is not readable by plm-prod-health: see lib/secrets/catalog.ts',
    );
  });

  it('takes the key id from an encryption key given as "id:key" (one SSM parameter, one write)', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(parseConfig({ SETTINGS_ENCRYPTION_KEY: `k2:${key}` })).toMatchObject({
      SETTINGS_ENCRYPTION_KEY_ID: 'k2',
      SETTINGS_ENCRYPTION_KEY: key,
    });
    expect(parseConfig({ SETTINGS_ENCRYPTION_KEY: key }).SETTINGS_ENCRYPTION_KEY_ID).toBe('k1');
  });

  it('wants PLM_SSM_PREFIX as a parameter path', () => {
    expect(parseConfig({ PLM_SSM_PREFIX: '/plm/prod' }).PLM_SSM_PREFIX).toBe('/plm/prod');
    for (const bad of ['plm/prod', '/plm/prod/', '/plm prod'])
      expect(() => parseConfig({ PLM_SSM_PREFIX: bad })).toThrow(/PLM_SSM_PREFIX/);
  });
});

describe('getConfig with the secrets in SSM', () => {
  afterEach(() => {
    delete process.env.PLM_SSM_PREFIX;
    resetConfig();
  });

  it('refuses to answer before loadConfig() read them', () => {
    process.env.PLM_SSM_PREFIX = '/plm/prod';
    resetConfig();
    expect(() => getConfig()).toThrow(/call loadConfig\(\) first/);
  });
});
