import * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiContentObject,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
  type ZodOpenApiResponsesObject,
  type oas31,
} from 'zod-openapi';
import { MaskedSecret, SecretValue, Source, UpstreamCheck, Verification } from '../settings/schema';
import { VERSION } from '../version';
import { type Answer, TAGS, methodAndPath } from './declaration';
import {
  ALWAYS_ERRORS,
  AUTH_ERRORS,
  BODY_ERRORS,
  IO_ERRORS,
  implicitErrors,
  mergeErrors,
  PARAMETER_ERRORS,
  type ErrorCode,
} from './error-codes';
import { ALWAYS_SENT, ERROR_HEADERS, type HeaderSet, headerComponentId, RESPONSE_HEADERS } from './headers';
import { errorSchema } from './response-schemas';
import { ROUTES, type AnyRoute } from './routes';

/**
 * The OpenAPI 3.1 description of plm, served at GET /api/openapi.json, committed
 * as openapi.json, and generated from the route table by zod-openapi: request
 * schemas are the very zod schemas the handlers validate with, so the document
 * cannot drift from the code.
 */

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable',
  429: 'Too many requests',
  500: 'Internal error',
  502: 'Upstream failed',
  503: 'Unavailable',
  504: 'Timed out',
};

/** Response headers as zod-openapi takes them: required ones plain, the others optional. */
const headersOf = (...sets: Array<HeaderSet | undefined>): z.ZodObject => {
  const merged: HeaderSet = Object.assign({}, ALWAYS_SENT, ...sets);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, required] of Object.entries(merged) as Array<[keyof typeof RESPONSE_HEADERS, boolean]>) {
    shape[name] = required ? RESPONSE_HEADERS[name] : RESPONSE_HEADERS[name].optional();
  }
  return z.object(shape);
};

const answerOf = ({ description, schema, content = {}, headers }: Answer): ZodOpenApiResponseObject => {
  const bodies: ZodOpenApiContentObject = {};
  if (schema) bodies['application/json'] = { schema };
  for (const [type, body] of Object.entries(content)) bodies[type] = { schema: body };
  return {
    description,
    ...(Object.keys(bodies).length ? { content: bodies } : {}),
    headers: headersOf(headers),
  };
};

/** Error answers many routes share, as response components (by status and exact codes). */
const SHARED_ERRORS: Record<string, { status: number; codes: readonly ErrorCode[] }> = {
  InvalidBody: { status: 400, codes: BODY_ERRORS[400] },
  InvalidParameters: { status: 400, codes: PARAMETER_ERRORS[400] },
  Unauthenticated: { status: 401, codes: AUTH_ERRORS[401] },
  PayloadTooLarge: { status: 413, codes: BODY_ERRORS[413] },
  UnsupportedMediaType: { status: 415, codes: BODY_ERRORS[415] },
  TooManyRequests: { status: 429, codes: ['TOO_MANY_REQUESTS'] },
  InternalError: { status: 500, codes: ALWAYS_ERRORS[500] },
  ServiceMisconfigured: { status: 503, codes: ALWAYS_ERRORS[503] },
  Unavailable: { status: 503, codes: [...ALWAYS_ERRORS[503], ...IO_ERRORS[503]] },
  Timeout: { status: 504, codes: IO_ERRORS[504] },
};
const sharedId = (status: number, codes: readonly ErrorCode[]): string | undefined =>
  Object.entries(SHARED_ERRORS).find(
    ([, e]) => e.status === status && e.codes.length === codes.length && e.codes.every((c) => codes.includes(c)),
  )?.[0];

const shared = new Map<string, ZodOpenApiResponseObject>();

const errorAnswer = (route: AnyRoute, status: number, codes: readonly ErrorCode[]): ZodOpenApiResponseObject => {
  const make = (id?: string): ZodOpenApiResponseObject => ({
    ...(id ? { id } : {}),
    description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.join(', ')}`,
    content: { 'application/json': { schema: errorSchema(codes) } },
    headers: headersOf(ERROR_HEADERS[status], route.errorHeaders?.[status]),
  });
  const id = route.errorHeaders?.[status] ? undefined : sharedId(status, codes);
  if (!id) return make();
  const known = shared.get(id);
  if (known) return known;
  const answer = make(id);
  shared.set(id, answer);
  return answer;
};

/** A status a route answers itself (health's 503) that an error can also take: either body. */
const answerOrError = (own: Answer, status: number, codes: readonly ErrorCode[]): ZodOpenApiResponseObject =>
  answerOf({
    ...own,
    description: `${own.description}; or an error: ${codes.join(', ')}`,
    schema: own.schema ? z.union([own.schema, errorSchema(codes)]) : errorSchema(codes),
    headers: { ...ERROR_HEADERS[status], ...own.headers },
  });

/** Every status a route answers: its own answers, then its errors (declared and implied). */
const responsesOf = (route: AnyRoute): ZodOpenApiResponsesObject => {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, answer] of Object.entries(route.responses)) responses[status as '200'] = answerOf(answer);
  const implied = implicitErrors({ ...route, usesDatabase: route.usesDatabase ?? route.auth });
  const errors = mergeErrors(implied, route.errors ?? {});
  for (const [status, codes] of Object.entries(errors)) {
    if (!codes?.length) continue;
    const own = route.responses[Number(status)];
    responses[status as '400'] = own
      ? answerOrError(own, Number(status), codes)
      : errorAnswer(route, Number(status), codes);
  }
  return responses;
};

const operationOf = (operationId: string, route: AnyRoute): ZodOpenApiOperationObject => ({
  operationId,
  tags: [route.tag],
  summary: route.summary,
  ...(route.description ? { description: route.description } : {}),
  security: route.auth ? [{ bearer: [] }] : [],
  requestParams: {
    ...(route.path ? { path: route.path as z.ZodObject } : {}),
    ...(route.query ? { query: route.query as z.ZodObject } : {}),
    ...(route.requestHeaders ? { header: route.requestHeaders } : {}),
  },
  ...(route.body
    ? {
        requestBody: {
          required: !route.bodyOptional,
          content: {
            'application/json': {
              schema: route.body,
              ...(route.example === undefined ? {} : { example: route.example }),
            },
          },
        },
      }
    : {}),
  responses: responsesOf(route),
});

/** OpenAPI `paths`: every route of the table but the catch-all, grouped by path. */
const pathsOf = (routes: Record<string, AnyRoute>): ZodOpenApiPathsObject => {
  const paths: ZodOpenApiPathsObject = {};
  for (const [operationId, route] of Object.entries(routes)) {
    const key = methodAndPath(route.route);
    if (!key) continue;
    const method = key.method.toLowerCase() as 'get' | 'put' | 'post' | 'delete';
    paths[key.path] = { ...paths[key.path], [method]: operationOf(operationId, route) };
  }
  return paths;
};

/** `format: date-time` says it all; zod's 600-character regex for it only hides that. */
const withoutDateTimePattern = ({ jsonSchema }: { jsonSchema: Record<string, unknown> }): void => {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
};

const build = (): oas31.OpenAPIObject =>
  createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'plm — Plex Library Manager API',
        version: VERSION,
        description:
          'Which media nobody watches any more, and how much space it takes. Log in with POST /api/login, then send `Authorization: Bearer <token>`. Every error is `{"error":{code,message,details?}}`; each answer lists the codes it may carry.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/', description: 'the host that serves this document' }],
      tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { MaskedSecret, SecretValue, Source, UpstreamCheck, Verification },
        headers: { [headerComponentId('X-Request-Id')]: RESPONSE_HEADERS['X-Request-Id'] },
      },
      paths: pathsOf(ROUTES),
    },
    { override: withoutDateTimePattern },
  );

let built: oas31.OpenAPIObject | undefined;

export const openApiDocument = (): oas31.OpenAPIObject => (built ??= build());
