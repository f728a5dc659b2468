import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler } from '../../../functions/openapi';
import { invoke } from '../../../dev/lambda';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        security: unknown[];
        parameters: Array<{ name: string; in: string; schema: Record<string, unknown> }>;
        requestBody?: {
          required: boolean;
          content: Record<string, { schema: { required?: string[]; additionalProperties?: boolean } }>;
        };
      }
    >
  >;
}

const served = async (): Promise<Doc> => {
  const res = await invoke(handler, { path: '/api/openapi.json' });
  expect(res.statusCode).toBe(200);
  return res.json<Doc>();
};

/** Every `httpApi: METHOD /path` route of serverless.yml, in OpenAPI's path syntax. */
const deployedRoutes = (): Array<[string, string]> =>
  [
    ...readFileSync(join(__dirname, '..', '..', '..', 'serverless.yml'), 'utf8').matchAll(
      /httpApi:\s*(GET|PUT|POST|DELETE)\s+(\S+)/g,
    ),
  ].map((m) => [m[1]!.toLowerCase(), m[2]!]);

describe('GET /api/openapi.json', () => {
  it('describes every deployed route, and nothing else', async () => {
    const doc = await served();
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(
      deployedRoutes()
        .map(([m, p]) => `${m} ${p}`)
        .sort(),
    );
  });

  it('uses the validation schemas themselves', async () => {
    const doc = await served();
    const login = doc.paths['/api/login']!.post!;
    const body = login.requestBody!.content['application/json']!.schema;
    expect(body.required).toEqual(['username', 'password']);
    expect(body.additionalProperties).toBe(false);
    const unused = doc.paths['/api/library/{id}/unused']!.get!;
    const threshold = unused.parameters.find((p) => p.name === 'threshold');
    // Documented as what it means (issue 10): an integer with the bounds the server enforces.
    expect(threshold).toMatchObject({ in: 'query', schema: { type: 'integer', minimum: 1, maximum: 3650 } });
    expect(unused.parameters.find((p) => p.name === 'id')).toMatchObject({ in: 'path' });
    expect(unused.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/health']!.get!.security).toEqual([]);
  });
});
