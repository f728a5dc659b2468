import * as z from 'zod';
import { booleanParam } from '../api/params';
import type { ApiEvent } from '../http/types';
import { headerOf } from '../http/headers';

/** `?verify=true` on PUT; any other query parameter is a 400, like unknown body fields. */
export const PutSettingsQuery = z
  .object({ verify: booleanParam(['true', 'false', '1', '0'], false, 'must be true or false') })
  .strict();

/** The If-Match header (API Gateway lower-cases header names; other callers may not). */
export const ifMatchHeader = (event: ApiEvent): string | undefined => {
  const value = headerOf(event, 'if-match');
  return value === undefined || value.trim() === '' ? undefined : value;
};
