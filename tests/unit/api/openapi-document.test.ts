import { createConfig, lintFromString } from '@redocly/openapi-core';
import { ERROR_CODES } from '../../../lib/api/error-codes';
import { openApiDocument } from '../../../lib/api/openapi';
import { ROUTES } from '../../../lib/api/routes';
import {
  CLIENT_TYPES_FILE,
  DOCUMENT_FILE,
  readCommitted,
  renderClientTypes,
  renderDocument,
} from '../../../scripts/openapi-files';

/**
 * openapi.json is committed so clients and reviews see the contract; these tests
 * fail when it (or the client types made from it) differs from what lib/api
 * generates, and when a standard validator finds anything wrong with it.
 */
jest.setTimeout(60_000);

const REGENERATE = 'run `npm run openapi` and commit the result';

type Operation = {
  operationId?: string;
  tags?: string[];
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
};
const operations = (): Array<[string, Operation]> =>
  Object.entries(openApiDocument().paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      op,
    ]),
  );

describe('openapi.json', () => {
  it('is what lib/api generates', () => {
    expect(readCommitted(DOCUMENT_FILE) === renderDocument() ? 'up to date' : REGENERATE).toBe('up to date');
  });

  it('has client types that openapi-typescript generates from it', async () => {
    const types = await renderClientTypes(DOCUMENT_FILE);
    expect(readCommitted(CLIENT_TYPES_FILE) === types ? 'up to date' : REGENERATE).toBe('up to date');
  });

  it('passes Redocly’s recommended rules with no error and no warning', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        // health, this document and the docs page take no input, so they have no 4xx to answer
        'operation-4xx-response': 'off',
      },
    });
    const problems = await lintFromString({ source: readCommitted(DOCUMENT_FILE), absoluteRef: DOCUMENT_FILE, config });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`)).toEqual([]);
  });

  it('names every operation after its route, with a tag, and every route but the catch-all is in it', () => {
    const ops = operations();
    expect(ops.map(([, op]) => op.operationId).sort()).toEqual(
      Object.keys(ROUTES)
        .filter((name) => name !== 'notFound')
        .sort(),
    );
    for (const [, op] of ops) expect(op.tags).toHaveLength(1);
  });

  it('lists error codes as enums, each one a code plm knows', () => {
    const doc = openApiDocument();
    const enums: string[] = [];
    const responses = doc.components?.responses ?? {};
    for (const [, op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400 || (Number(status) === 503 && op.operationId === 'health')) continue;
        const resolved = response.$ref ? responses[response.$ref.split('/').pop() ?? ''] : response;
        const schema = (resolved as Operation['responses'][string]).content?.['application/json']?.schema as {
          properties: { error: { properties: { code: { enum: string[] } } } };
        };
        enums.push(...schema.properties.error.properties.code.enum);
      }
    }
    expect(enums.length).toBeGreaterThan(50);
    expect(enums.filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it('declares 429 and 503 where the issue found them missing, and If-Match as a parameter', () => {
    const paths = openApiDocument().paths ?? {};
    const responses = (path: string, method: 'get' | 'put') =>
      Object.keys((paths[path]?.[method] as Operation | undefined)?.responses ?? {});
    for (const [path, method] of [
      ['/api/libraries', 'get'],
      ['/api/library/{id}/unused', 'get'],
      ['/api/settings', 'put'],
    ] as const) {
      expect(responses(path, method)).toEqual(expect.arrayContaining(['429', '503']));
    }
    const put = paths['/api/settings']?.put as { parameters: Array<{ name: string; in: string }> };
    expect(put.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
  });
});
