import type middy from '@middy/core';
import type * as z from 'zod';
import { validationError } from '../../errors';
import type { ApiEvent, ApiResult, PlmContext } from '../types';

export interface RequestSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  path?: z.ZodType;
}

type Location = keyof RequestSchemas;

export interface FieldProblem {
  location: Location;
  path: string;
  message: string;
}

const problemsOf = (location: Location, error: z.ZodError): FieldProblem[] =>
  error.issues.map((issue) => ({ location, path: issue.path.map(String).join('.'), message: issue.message }));

/**
 * Parses body, query and path parameters with zod; all failures of all three
 * come back together as one 400 listing the failing fields.
 */
export const validate = (schemas: RequestSchemas): middy.MiddlewareObj<ApiEvent, ApiResult, Error, PlmContext> => ({
  before: async (request) => {
    const { event, context } = request;
    const inputs: Record<Location, unknown> = {
      body: event.body,
      query: event.queryStringParameters ?? {},
      path: event.pathParameters ?? {},
    };
    const problems: FieldProblem[] = [];
    for (const location of ['path', 'query', 'body'] as const) {
      const schema = schemas[location];
      if (!schema) continue;
      const result = schema.safeParse(inputs[location]);
      if (result.success) context.plm[location] = result.data;
      else problems.push(...problemsOf(location, result.error));
    }
    if (problems.length) throw validationError(problems);
  },
});
