import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FUNCTION_SECRET_ACCESS, parameterNameOf, SECRET_ACCESS, SECRET_VARIABLES } from '../../lib/secrets/catalog';
import { ROOT } from '../helpers/deploy-files';

/**
 * `serverless package --stage prod` for real (offline; ~20 s), and the
 * CloudFormation template it writes, read as a deployer would: what runs,
 * what each function may read, what the environment carries. Only the
 * parameter path is given; no secret value is anywhere in the environment.
 */
jest.setTimeout(240_000);

const run = promisify(execFile);
const serverless = join(ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js');
const PREFIX = '/plm/prod';

/** A clean environment: nothing of the developer's shell or of jest's test setup reaches the template. */
const packagingEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  ...extra,
});

const packageProd = (dir: string, extra: Record<string, string>) =>
  run(process.execPath, [serverless, 'package', '--stage', 'prod', '--package', dir], {
    cwd: ROOT,
    env: packagingEnv(extra),
    maxBuffer: 16 * 1024 * 1024,
  });

interface Resource {
  Type: string;
  DependsOn?: string[];
  Properties: Record<string, unknown>;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** CloudFormation's Ref and Fn::Join as text: {"Ref":"AWS::Region"} → "{AWS::Region}". */
const render = (value: unknown): string | string[] => {
  if (Array.isArray(value)) return value.map((v) => render(v) as string);
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref) return `{${node.Ref}}`;
  if (node['Fn::Join']) return node['Fn::Join'][1].map((v) => render(v) as string).join(node['Fn::Join'][0]);
  return JSON.stringify(value);
};
const arnOf = (name: string) => `arn:{AWS::Partition}:ssm:{AWS::Region}:{AWS::AccountId}:parameter${name}`;

describe('packaging the prod stage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'plm-package-'));
  let resources: Record<string, Resource>;
  let templateText: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    await packageProd(dir, { PLM_SSM_PREFIX: PREFIX });
    templateText = readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8');
    resources = (JSON.parse(templateText) as { Resources: Record<string, Resource> }).Resources;
  });

  const functions = () =>
    Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function') as Array<[string, Resource]>;
  /** serverless.yml's function name of a logical id: "ChangePasswordLambdaFunction" → "changePassword". */
  const nameOf = (logicalId: string) => logicalId.replace(/LambdaFunction$/, '').replace(/^./, (c) => c.toLowerCase());
  const statementsOf = (logicalId: string): Statement[] => {
    const policies = resources[logicalId]?.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
    return policies.flatMap((p) => p.PolicyDocument.Statement);
  };

  it('runs every function on Node 24 on arm64', () => {
    expect(functions().length).toBe(Object.keys(FUNCTION_SECRET_ACCESS).length);
    for (const [id, fn] of functions()) {
      expect({ id, runtime: fn.Properties.Runtime, arch: fn.Properties.Architectures }).toEqual({
        id,
        runtime: 'nodejs24.x',
        arch: ['arm64'],
      });
    }
  });

  it('puts no secret and no secret-looking variable in any function environment, only the parameter path', () => {
    const secretName = /SECRET|PASSWORD|API_?KEY|CREDENTIAL|PRIVATE|_TOKEN$|_KEY$|_KEYS$|_URI$/i;
    const secretValue = /^mongodb(\+srv)?:|^[A-Za-z0-9+/=_-]{32,}$/;
    for (const [id, fn] of functions()) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const leaks = Object.entries(variables).filter(
        ([name, value]) =>
          (SECRET_VARIABLES as readonly string[]).includes(name) || secretName.test(name) || secretValue.test(value),
      );
      expect({ id, leaks }).toEqual({ id, leaks: [] });
      expect(variables.PLM_SSM_PREFIX).toBe(PREFIX);
      expect(variables.NODE_ENV).toBe('production');
    }
    expect(templateText).not.toMatch(/mongodb(\+srv)?:\/\//);
  });

  it('lets each function read exactly its parameters, decrypted only through SSM', () => {
    for (const [id, fn] of functions()) {
      const name = nameOf(id);
      const access = FUNCTION_SECRET_ACCESS[name];
      const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = statementsOf(role);
      const reading = statements.filter((s) => s.Action.some((a) => /^(ssm|kms):/.test(a)));
      const expected = (SECRET_ACCESS[access ?? 'none'] as readonly (typeof SECRET_VARIABLES)[number][]).map((v) =>
        arnOf(parameterNameOf(PREFIX, v)),
      );
      if (!expected.length) {
        expect({ name, role, reading }).toEqual({ name, role: 'IamRoleLambdaExecution', reading: [] });
        continue;
      }
      expect({ name, reading: reading.map((s) => ({ ...s, Resource: render(s.Resource) })) }).toEqual({
        name,
        reading: [
          { Effect: 'Allow', Action: ['ssm:GetParameters'], Resource: expected },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt'],
            Resource: 'arn:{AWS::Partition}:kms:{AWS::Region}:{AWS::AccountId}:key/*',
            Condition: {
              StringEquals: {
                'kms:ViaService': expect.anything(),
                'kms:EncryptionContext:PARAMETER_ARN': expect.anything(),
              },
            },
          },
        ],
      });
      const condition = reading[1]?.Condition?.StringEquals ?? {};
      expect(render(condition['kms:ViaService'])).toBe('ssm.{AWS::Region}.amazonaws.com');
      expect(render(condition['kms:EncryptionContext:PARAMETER_ARN'])).toEqual(expected);
      // The rest of the role: its own functions' logs, nothing else.
      for (const s of statements.filter((st) => !reading.includes(st))) {
        expect(s.Action.every((a) => a === 'logs:CreateLogStream' || a === 'logs:PutLogEvents')).toBe(true);
        for (const arn of render(s.Resource) as string[])
          expect(arn).toMatch(/:log-group:\/aws\/lambda\/plm-prod-\w+:/);
      }
    }
    expect(FUNCTION_SECRET_ACCESS).toMatchObject({ health: 'database', openapi: 'none', notFound: 'none' });
    expect(statementsOf('IamRoleLambdaExecution').flatMap((s) => s.Action)).not.toContainEqual(
      expect.stringMatching(/^(ssm|kms):/),
    );
  });

  it('creates the throttled routes before the stage that names them', () => {
    const stage = resources.HttpApiStage;
    const routeSettings = stage?.Properties.RouteSettings as Record<string, unknown>;
    const routeIdOf = (key: string) =>
      Object.entries(resources).find(
        ([, r]) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.RouteKey === key,
      )?.[0];
    const needed = Object.keys(routeSettings).map(routeIdOf);
    expect(needed).toEqual(['HttpApiRoutePostApiLogin', 'HttpApiRoutePostApiTokenRefresh']);
    expect(stage?.DependsOn).toEqual(expect.arrayContaining(needed));
  });

  it('keeps the throttling and the 15-minute warmer schedule', () => {
    expect(resources.HttpApiStage?.Properties).toMatchObject({
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: {
        'POST /api/login': { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
        'POST /api/token/refresh': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      },
    });
    const schedule = Object.values(resources).find((r) => r.Type === 'AWS::Events::Rule');
    expect(schedule?.Properties).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED' });
    expect(JSON.stringify(schedule?.Properties.Targets)).toContain('WarmCacheLambdaFunction');
  });
});

describe('packaging the prod stage without the parameter path', () => {
  it('stops before building anything, naming what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plm-package-'));
    try {
      const failure = await packageProd(dir, {}).then(
        () => undefined,
        (error: { code?: number; stdout?: string; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const output = `${failure?.stdout ?? ''}${failure?.stderr ?? ''}`;
      expect(output).toContain(
        'Stage "prod" reads its secrets from SSM Parameter Store, but PLM_SSM_PREFIX (the path of its parameters) is not set.',
      );
      expect(output).toContain('/plm/prod/JWT_SECRET, /plm/prod/MONGODB_URI, /plm/prod/SETTINGS_ENCRYPTION_KEY');
      expect(existsSync(join(dir, 'cloudformation-template-update-stack.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
