import type { ApiResult } from './types';

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const ok = (body: unknown, headers?: Record<string, string>): ApiResult => json(200, body, headers);

export const noContent = (headers: Record<string, string> = {}): ApiResult => ({ statusCode: 204, headers, body: '' });

export const text = (
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): ApiResult => ({
  statusCode,
  headers: { 'Content-Type': contentType, ...headers },
  body,
});

/** Adds a field to the Vary header without dropping what others put there. */
export const appendVary = (headers: Record<string, string | number | boolean>, field: string): void => {
  const current =
    headers.Vary === undefined
      ? []
      : String(headers.Vary)
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean);
  if (!current.some((v) => v.toLowerCase() === field.toLowerCase())) current.push(field);
  headers.Vary = current.join(', ');
};
