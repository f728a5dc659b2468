import { join } from 'node:path';
import { ROUTES, type AnyRoute } from '../../../lib/api/routes';
import {
  handlerFileExists,
  kebabCase,
  parseServerlessYml,
  readRootFile,
  ROOT,
  routeKeyOf,
  type ServerlessYml,
} from '../../helpers/deploy-files';

/** serverless.yml functions that serve no HTTP route (the table lists routes only). */
const NON_HTTP_FUNCTIONS = ['warmCache'];

const declared: Record<string, AnyRoute> = ROUTES;

/** Everything in which serverless.yml differs from lib/api/routes.ts, in words. */
const routeProblems = (yml: ServerlessYml): string[] => {
  const problems: string[] = [];
  for (const [name, fn] of Object.entries(yml.functions)) {
    const handler = `functions/${kebabCase(name)}.handler`;
    if (fn.handler !== handler) problems.push(`${name}: handler is ${fn.handler}, expected ${handler}`);
    else if (!handlerFileExists(handler)) problems.push(`${name}: ${handler} has no file`);
    const served = (fn.events ?? []).flatMap((e) => (e.httpApi === undefined ? [] : [routeKeyOf(e.httpApi)]));
    if (NON_HTTP_FUNCTIONS.includes(name)) {
      if (served.length) problems.push(`${name}: listed as not HTTP, but serves ${served.join(', ')}`);
    } else if (!declared[name]) {
      problems.push(`${name}: not declared in lib/api/routes.ts`);
    } else if (served.length !== 1 || served[0] !== declared[name].route) {
      problems.push(
        `${name}: serverless.yml serves [${served.join(', ')}], the table declares ${declared[name].route}`,
      );
    }
  }
  for (const name of Object.keys(declared))
    if (!yml.functions[name]) problems.push(`${name}: declared, but no function in serverless.yml`);
  const keys = new Set(Object.values(declared).map((r) => r.route));
  const throttled = Object.keys(yml.resources?.Resources?.HttpApiStage?.Properties?.RouteSettings ?? {});
  for (const key of throttled)
    if (!keys.has(key as AnyRoute['route'])) problems.push(`RouteSettings names ${key}, which is not a declared route`);
  return problems;
};

const yml = readRootFile('serverless.yml');

describe('the route table (lib/api/routes.ts) against serverless.yml', () => {
  it('declares exactly the functions, routes and handlers serverless.yml deploys', () => {
    expect(routeProblems(parseServerlessYml(yml))).toEqual([]);
  });

  it('fails when serverless.yml drifts', () => {
    const drifted = (from: string, to: string) => routeProblems(parseServerlessYml(yml.replace(from, to)));
    expect(drifted('httpApi: POST /api/login', 'httpApi: POST /api/signin')).toEqual([
      'login: serverless.yml serves [POST /api/signin], the table declares POST /api/login',
    ]);
    expect(drifted("'POST /api/token/refresh':", "'POST /api/refresh':")).toEqual([
      'RouteSettings names POST /api/refresh, which is not a declared route',
    ]);
    expect(drifted('handler: functions/logout.handler', 'handler: functions/sign-out.handler')).toEqual([
      'logout: handler is functions/sign-out.handler, expected functions/logout.handler',
    ]);
    expect(drifted('  settingsGet:\n', '  settingsRead:\n')).toEqual([
      'settingsRead: handler is functions/settings-get.handler, expected functions/settings-read.handler',
      'settingsRead: not declared in lib/api/routes.ts',
      'settingsGet: declared, but no function in serverless.yml',
    ]);
  });

  it.each(Object.keys(ROUTES))('functions/%s serves its own declaration', async (name) => {
    const { handler } = (await import(join(ROOT, 'functions', kebabCase(name)))) as { handler: { spec: AnyRoute } };
    expect(handler.spec.route).toBe(declared[name]!.route);
    expect(handler.spec).toBe(declared[name]); // the declaration itself, not a look-alike
  });
});
