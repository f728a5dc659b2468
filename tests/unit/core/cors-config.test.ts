import { EnvSchema } from '../../../lib/config';
import { EXPOSED_HEADERS } from '../../../lib/http/middleware/cors';
import { parseServerlessYml, readRootFile } from '../../helpers/deploy-files';

// The CommonJS file serverless.yml reads its CORS origins from.
const { corsOrigins } = require('../../../scripts/serverless-vars.js') as { corsOrigins: () => string[] };

/** Where serverless.yml's CORS settings differ from what the functions answer with, in words. */
const corsProblems = (ymlText: string): string[] => {
  const cors = parseServerlessYml(ymlText).provider.httpApi.cors;
  const exposed = cors.exposedResponseHeaders;
  return [
    ...EXPOSED_HEADERS.filter((h) => !exposed.includes(h)).map((h) => `serverless.yml does not expose ${h}`),
    ...exposed
      .filter((h) => !EXPOSED_HEADERS.includes(h))
      .map((h) => `serverless.yml exposes ${h}, lib/http/middleware/cors.ts does not`),
  ];
};

const yml = readRootFile('serverless.yml');

describe('CORS: serverless.yml (API Gateway) against lib/http/middleware/cors.ts', () => {
  it('exposes the same response headers', () => {
    expect(corsProblems(yml)).toEqual([]);
  });

  it('fails when serverless.yml drifts', () => {
    expect(corsProblems(yml.replace('X-Snapshot-At, ', ''))).toEqual(['serverless.yml does not expose X-Snapshot-At']);
    expect(corsProblems(yml.replace('X-Request-Id]', 'X-Request-Id, X-Debug]'))).toEqual([
      'serverless.yml exposes X-Debug, lib/http/middleware/cors.ts does not',
    ]);
  });

  it('allows the origins lib/config.ts allows by default', () => {
    const saved = process.env.CORS_ALLOWED_ORIGINS;
    delete process.env.CORS_ALLOWED_ORIGINS;
    try {
      expect(corsOrigins()).toEqual(EnvSchema.shape.CORS_ALLOWED_ORIGINS.parse(undefined));
    } finally {
      if (saved !== undefined) process.env.CORS_ALLOWED_ORIGINS = saved;
    }
  });
});
