/**
 * What every hardening test shares: the real handlers of every declared route
 * (found from lib/api/routes.ts, so new routes are covered without edits), a
 * way to call them as API Gateway would while keeping every answer, and the
 * secret scan of those answers and of everything logged.
 */
import { join } from 'node:path';
import { ROUTES, type AnyRoute, methodAndPath } from '../../lib/api/routes';
import { invoke, type EventInput, type InvokeResult } from '../../dev/lambda';
import { capturedLogs } from '../helpers/logs';
import { record } from './tally';

export interface RouteUnderTest {
  name: string;
  declaration: AnyRoute;
  method: string;
  /** The path with `{param}` placeholders ("/api/nowhere" for the catch-all). */
  path: string;
  params: string[];
  handler: unknown;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Every declared HTTP route with its real handler. */
export const routesUnderTest = (): RouteUnderTest[] =>
  Object.entries(ROUTES as Record<string, AnyRoute>).map(([name, declaration]) => {
    const mp = methodAndPath(declaration.route);
    const path = mp?.path ?? '/api/nowhere';
    // biome-ignore lint/suspicious/noExplicitAny: a handler module, typed by its own file
    const handler = (require(join(__dirname, '..', '..', 'functions', kebab(name))) as any).handler;
    return {
      name,
      declaration,
      method: mp?.method ?? 'DELETE',
      path,
      params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? ''),
      handler,
    };
  });

export const route = (name: string): RouteUnderTest => {
  const found = routesUnderTest().find((r) => r.name === name);
  if (!found) throw new Error(`no route ${name}`);
  return found;
};

/** Every answer of this test file, for the secret scan. */
const answers: string[] = [];

/** Calls a route's real handler as API Gateway would route it; path parameters fill the placeholders. */
export const call = async (
  r: RouteUnderTest,
  input: Omit<EventInput, 'method' | 'path' | 'routeKey'> & { pathParameters?: Record<string, string> } = {},
): Promise<InvokeResult> => {
  let path = r.path;
  for (const p of r.params) path = path.replace(`{${p}}`, encodeURIComponent(input.pathParameters?.[p] ?? ''));
  const res = await invoke(r.handler, {
    ...input,
    method: r.method,
    path,
    routeKey: r.declaration.route === '$default' ? '$default' : r.declaration.route,
  });
  answers.push(JSON.stringify(res.headers), res.body);
  return res;
};

/** The error envelope: `{"error":{"code","message"}}` with a JSON content type. */
export const isEnvelope = (res: InvokeResult): boolean => {
  if (!/^application\/json/.test(res.headers['content-type'] ?? '')) return false;
  try {
    const body = res.json<{ error?: { code?: unknown; message?: unknown } }>();
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string';
  } catch {
    return false;
  }
};

/**
 * Every log line and answer of this file searched for every secret the file
 * used (passwords, tokens, keys, the JWT secret, the encryption key): one row
 * of the table (texts searched, and the secrets found in them).
 */
export const scanForSecrets = (area: string, secrets: readonly string[]): void => {
  const all = new Set(
    [...secrets, process.env.JWT_SECRET ?? '', process.env.SETTINGS_ENCRYPTION_KEY ?? ''].filter((s) => s.length >= 6),
  );
  const lines = capturedLogs().split('\n');
  const leaks: string[] = [];
  for (const secret of all) {
    const where = [
      lines.some((l) => l.includes(secret)) && 'logs',
      answers.some((a) => a.includes(secret)) && 'answers',
    ];
    for (const w of where) if (w) leaks.push(`${secret.slice(0, 3)}… in the ${w}`);
  }
  record({
    category: 'secret',
    area,
    count: lines.length + answers.length / 2,
    failures: leaks.length,
    detail: `${lines.length.toLocaleString('en')} log lines and ${(answers.length / 2).toLocaleString('en')} answers searched for ${all.size} secrets`,
  });
  expect(leaks).toEqual([]);
};
