import type { ApiEvent } from './types';

/**
 * A request header by name, whatever its case. API Gateway v2 lower-cases
 * header names, but serverless-offline and hand-built events may not.
 */
export const headerOf = (event: ApiEvent, name: string): string | undefined => {
  const headers = event.headers ?? {};
  const lower = name.toLowerCase();
  if (headers[lower] !== undefined) return headers[lower];
  return Object.entries(headers).find(([k]) => k.toLowerCase() === lower)?.[1];
};
