import { ENV_VARIABLES, EnvSchema, type VariableScope } from '../../../lib/config';
import { parseServerlessYml, readRootFile } from '../../helpers/deploy-files';

const DOCUMENTED: readonly VariableScope[] = ['function', 'local', 'deploy', 'secret'];
const FORWARDED: readonly VariableScope[] = ['function', 'fixed'];
/** Defaults serverless.yml may set differently from lib/config.ts, and why. */
const DEPLOY_DEFAULTS: Record<string, string> = {
  NODE_ENV: 'production' /* a deployment is production unless told otherwise */,
};

/** `NAME=value` and `# NAME=value` lines of .env.example. */
const documentedIn = (envExample: string): Map<string, string> =>
  new Map([...envExample.matchAll(/^#?[ \t]*([A-Z][A-Z0-9_]*)=(\S*)/gm)].map((m) => [m[1]!, m[2]!]));

/** lib/config.ts's default of a variable, as the text a file would hold; undefined when it has none. */
const schemaDefault = (name: string): string | undefined => {
  const field = (
    EnvSchema.shape as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }>
  )[name];
  const parsed = field?.safeParse(undefined);
  if (!parsed?.success || parsed.data === undefined || parsed.data === false) return undefined;
  return Array.isArray(parsed.data) ? parsed.data.join(',') : String(parsed.data);
};

const scopeProblems = (name: string, scope: VariableScope, documented: boolean, forwarded: boolean): string[] => [
  ...(DOCUMENTED.includes(scope) === documented
    ? []
    : [`${name} (${scope}) ${documented ? 'must not be' : 'is not'} documented in .env.example`]),
  ...(FORWARDED.includes(scope) === forwarded
    ? []
    : [`${name} (${scope}) ${forwarded ? 'must not be' : 'is not'} forwarded by serverless.yml`]),
];

/** What serverless.yml forwards as a setting must be `${env:SAME_NAME[, 'default']}`, defaulting as lib/config.ts does. */
const forwardingProblems = (name: string, value: string): string[] => {
  const m = new RegExp(`^\\$\\{env:${name}(?:, '?([^'}]*)'?)?\\}$`).exec(value);
  if (!m) return [`serverless.yml forwards ${name} as ${value}, not from \${env:${name}}`];
  const expected = DEPLOY_DEFAULTS[name] ?? schemaDefault(name);
  return expected !== undefined && (m[1] ?? '') !== expected
    ? [`serverless.yml defaults ${name} to '${m[1] ?? ''}', lib/config.ts to '${expected}'`]
    : [];
};

/** Everything in which .env.example and serverless.yml differ from lib/config.ts, in words. */
const envProblems = (envExample: string, ymlText: string): string[] => {
  const documented = documentedIn(envExample);
  const environment = parseServerlessYml(ymlText).provider.environment;
  const referenced = [...ymlText.matchAll(/\$\{env:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
  const problems: string[] = [];
  for (const [name, scope] of Object.entries(ENV_VARIABLES)) {
    problems.push(...scopeProblems(name, scope, documented.has(name), name in environment));
    if (scope === 'function' && name in environment) problems.push(...forwardingProblems(name, environment[name]!));
    const example = documented.get(name);
    const fallback = schemaDefault(name);
    if (example && fallback !== undefined && example !== fallback)
      problems.push(`.env.example shows ${name}=${example}, lib/config.ts defaults to ${fallback}`);
  }
  const named = new Set([...documented.keys(), ...Object.keys(environment), ...referenced]);
  for (const name of named)
    if (!(name in ENV_VARIABLES))
      problems.push(`${name} is named in .env.example or serverless.yml, but lib/config.ts does not know it`);
  return problems;
};

const envExample = readRootFile('.env.example');
const yml = readRootFile('serverless.yml');

describe('environment variables: lib/config.ts against .env.example and serverless.yml', () => {
  it('documents and forwards every variable as its scope says, and names no other', () => {
    expect(envProblems(envExample, yml)).toEqual([]);
  });

  it('fails when .env.example drifts', () => {
    expect(envProblems(envExample.replace(/^# JWT_ISSUER=.*\n/m, ''), yml)).toEqual([
      'JWT_ISSUER (function) is not documented in .env.example',
    ]);
    expect(envProblems(`${envExample}# PLM_SURPRISE=1\n`, yml)).toEqual([
      'PLM_SURPRISE is named in .env.example or serverless.yml, but lib/config.ts does not know it',
    ]);
    expect(envProblems(envExample.replace('JWT_EXPIRY=24h', 'JWT_EXPIRY=12h'), yml)).toEqual([
      '.env.example shows JWT_EXPIRY=12h, lib/config.ts defaults to 24h',
    ]);
  });

  it('fails when serverless.yml drifts', () => {
    expect(envProblems(envExample, yml.replace(/^ {4}JWT_AUDIENCE:.*\n/m, ''))).toEqual([
      'JWT_AUDIENCE (function) is not forwarded by serverless.yml',
    ]);
    expect(
      envProblems(
        envExample,
        yml.replace("BCRYPT_COST: ${env:BCRYPT_COST, '12'}", "BCRYPT_COST: ${env:BCRYPT_COST, '10'}"),
      ),
    ).toEqual(["serverless.yml defaults BCRYPT_COST to '10', lib/config.ts to '12'"]);
    expect(envProblems(envExample, yml.replace('    PLEX_URL: ${env:PLEX_URL', '    PLEX_URL: ${env:PLEX_UR'))).toEqual(
      [
        "serverless.yml forwards PLEX_URL as ${env:PLEX_UR, ''}, not from ${env:PLEX_URL}",
        'PLEX_UR is named in .env.example or serverless.yml, but lib/config.ts does not know it',
      ],
    );
    // A secret is read from SSM Parameter Store in AWS: forwarding one would write it into the template.
    expect(
      envProblems(envExample, yml.replace('    MONGODB_DB:', "    JWT_SECRET: ${env:JWT_SECRET, ''}\n    MONGODB_DB:")),
    ).toEqual(['JWT_SECRET (secret) must not be forwarded by serverless.yml']);
  });
});
