import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type * as z from 'zod';
import { APIError } from '../errors';
import { logger } from '../logger';
import { authenticate } from './middleware/authenticate';
import { compress } from './middleware/compress';
import { configGate } from './middleware/config-gate';
import { cors } from './middleware/cors';
import { errorNormalizer } from './middleware/error-normalizer';
import { jsonBody } from './middleware/json-body';
import { requestContext } from './middleware/request-context';
import { securityHeaders } from './middleware/security-headers';
import { validate } from './middleware/validate';
import type { ApiEvent, ApiResult, AuthUser, ClientInfo, PlmContext } from './types';

type Infer<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<A extends boolean, B, Q, P> {
  /** "METHOD /path", used in logs */
  route: string;
  auth: A;
  body?: B;
  query?: Q;
  path?: P;
  /** default 16 KiB */
  maxBodyBytes?: number;
  /** An absent body is read as `{}` (for bodies whose fields are all optional). */
  bodyOptional?: boolean;
}

export interface RouteRequest<A extends boolean, B, Q, P> {
  body: Infer<B>;
  query: Infer<Q>;
  path: Infer<P>;
  user: A extends true ? AuthUser : undefined;
  client: ClientInfo;
  requestId: string;
  event: ApiEvent;
  /** aborted shortly before the Lambda deadline; pass it to upstream calls */
  signal: AbortSignal;
}

/** Middy answers a deadline with this error a second before Lambda would kill us. */
const TIMEOUT_EARLY_MS = 1_000;

/**
 * The one way to build an HTTP Lambda handler. Middleware order matters:
 * `after`/`onError` run in reverse, so headers are applied last to every answer,
 * errors are normalised before http-error-handler renders them, and the request
 * log sees the final status. The configuration is loaded before any step reads it.
 */
export const httpHandler = <
  A extends boolean,
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<A, B, Q, P>,
  fn: (req: RouteRequest<A, B, Q, P>) => Promise<ApiResult>,
) => {
  const core = async (event: ApiEvent, context: PlmContext, opts: { signal: AbortSignal }): Promise<ApiResult> => {
    const state = context.plm;
    if (spec.auth && !state.user) throw new APIError('Authentication middleware did not run', 500);
    return fn({
      body: state.body as Infer<B>,
      query: state.query as Infer<Q>,
      path: state.path as Infer<P>,
      user: state.user as RouteRequest<A, B, Q, P>['user'],
      client: state.client,
      requestId: state.requestId,
      event,
      signal: opts.signal,
    });
  };

  const handler = middy<ApiEvent, ApiResult, Error, PlmContext>(core, {
    timeoutEarlyInMillis: TIMEOUT_EARLY_MS,
    timeoutEarlyResponse: () => {
      throw new APIError('The request took too long and was stopped', 504, 'TIMEOUT', { expose: true });
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false })) // events hold passwords and tokens
    .use(requestContext(spec.route))
    .use(securityHeaders())
    .use(cors())
    .use(httpErrorHandler({ logger: false }))
    .use(errorNormalizer())
    .use(compress())
    .use(configGate());

  if (spec.auth) handler.use(authenticate());
  if (spec.body)
    handler.use(jsonBody({ maxBytes: spec.maxBodyBytes ?? 16 * 1024, optional: spec.bodyOptional ?? false }));
  handler.use(validate({ body: spec.body, query: spec.query, path: spec.path }));
  // The declaration travels with the handler, so a test can tell which route a function serves.
  return Object.assign(handler, { spec });
};
