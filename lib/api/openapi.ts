import { z } from 'zod';
import { VERSION } from '../version';
import { ErrorSchema } from './response-schemas';
import { methodAndPath, ROUTES, type AnyRoute, type ResponseDoc } from './routes';

/**
 * The OpenAPI 3.1 description of plm, served at GET /api/openapi.json and built
 * from the route table: request schemas are the very zod schemas the handlers
 * validate with, so the document cannot drift from the code.
 */

type Json = Record<string, unknown>;

const schemaOf = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
};

/** Query and path schemas become OpenAPI parameters, one per property. */
const parametersOf = (schema: z.ZodType, where: 'query' | 'path'): Json[] => {
  const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: s,
  }));
};

const responseOf = ({ description, schema, csv, headers }: ResponseDoc): Json => {
  const content: Json = {
    ...(schema ? { 'application/json': { schema: schemaOf(schema, 'output') } } : {}),
    ...(csv ? { 'text/csv': { schema: { type: 'string' } } } : {}),
  };
  return {
    description,
    ...(Object.keys(content).length ? { content } : {}),
    ...(headers ? { headers: Object.fromEntries(headers.map((h) => [h, { schema: { type: 'string' } }])) } : {}),
  };
};

const operation = (route: AnyRoute): Json => ({
  summary: route.summary,
  security: route.auth ? [{ bearer: [] }] : [],
  parameters: [
    ...(route.path ? parametersOf(route.path, 'path') : []),
    ...(route.query ? parametersOf(route.query, 'query') : []),
  ],
  ...(route.body
    ? {
        requestBody: {
          required: !route.bodyOptional,
          content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
        },
      }
    : {}),
  responses: {
    ...Object.fromEntries(Object.entries(route.responses).map(([status, doc]) => [status, responseOf(doc)])),
    ...Object.fromEntries((route.errors ?? []).map((s) => [String(s), { $ref: '#/components/responses/Error' }])),
  },
});

/** OpenAPI `paths`: every route of the table but the catch-all, grouped by path. */
const pathsOf = (routes: readonly AnyRoute[]): Record<string, Record<string, Json>> => {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const key = methodAndPath(route.route);
    if (!key) continue;
    const operations = paths[key.path] ?? {};
    operations[key.method.toLowerCase()] = operation(route);
    paths[key.path] = operations;
  }
  return paths;
};

let built: Json | undefined;

export const openApiDocument = (): Json =>
  (built ??= {
    openapi: '3.1.0',
    info: {
      title: 'plm — Plex Library Manager API',
      version: VERSION,
      description: 'Which media nobody watches any more, and how much space it takes.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Error: responseOf({ description: 'an error: {"error":{code,message,details?}}', schema: ErrorSchema }),
      },
    },
    paths: pathsOf(Object.values(ROUTES)),
  });
