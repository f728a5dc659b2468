import type { ApiResult } from './types';

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const ok = (body: unknown, headers?: Record<string, string>): ApiResult => json(200, body, headers);

export const noContent = (headers: Record<string, string> = {}): ApiResult => ({ statusCode: 204, headers, body: '' });

export const text = (statusCode: number, body: string, contentType: string, headers: Record<string, string> = {}): ApiResult => ({
  statusCode,
  headers: { 'Content-Type': contentType, ...headers },
  body,
});
