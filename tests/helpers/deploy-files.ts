import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { safeLoad } from 'js-yaml';

/**
 * The deployment files that repeat facts lib/ declares once (routes, variables,
 * CORS headers), read for the consistency tests. The checks take the files'
 * text, so a test can also hand them a drifted copy and see them fail.
 */
export const ROOT = join(__dirname, '..', '..');

export const readRootFile = (name: string): string => readFileSync(join(ROOT, name), 'utf8');

type HttpApiEvent = string | { method: string; path: string };

export interface ServerlessYml {
  provider: {
    environment: Record<string, string>;
    httpApi: { cors: { allowedOrigins: unknown; exposedResponseHeaders: string[] } };
  };
  functions: Record<string, { handler: string; events?: Array<{ httpApi?: HttpApiEvent }> }>;
  resources?: { Resources?: { HttpApiStage?: { Properties?: { RouteSettings?: Record<string, unknown> } } } };
}

export const parseServerlessYml = (text: string): ServerlessYml => safeLoad(text) as ServerlessYml;

/** "changePassword" → "change-password": a function's handler file is functions/<this>.ts. */
export const kebabCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export const handlerFileExists = (handler: string): boolean =>
  existsSync(join(ROOT, `${handler.replace(/\.handler$/, '')}.ts`));

/** An httpApi event as API Gateway's route key (`'*'` is the `$default` route). */
export const routeKeyOf = (event: HttpApiEvent): string =>
  typeof event === 'string' ? (event === '*' ? '$default' : event) : `${event.method.toUpperCase()} ${event.path}`;
