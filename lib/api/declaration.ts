import type * as z from 'zod';
import type { RouteSpec } from '../http/handler';
import type { ErrorsByStatus } from './error-codes';
import type { HeaderSet } from './headers';

/** What a route declares about itself; the table of all routes is lib/api/routes.ts. */

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** API Gateway's route key: "METHOD /path", or `$default` for the catch-all (`httpApi: '*'`). */
export type RouteKey = `${Method} /api/${string}` | '$default';

export const TAGS = {
  auth: 'Log in, refresh and end sessions, change the password',
  media: 'Libraries, the media nobody watches, and how much space it takes',
  keep: 'Items you keep: never listed as unused',
  settings: 'Your Plex and Tautulli connection and preferences',
  meta: 'Health, this document and its docs page',
} as const;
export type Tag = keyof typeof TAGS;

/** One answer other than an error. */
export interface Answer {
  description: string;
  /** The JSON body. */
  schema?: z.ZodType;
  /** Other bodies by media type (CSV, HTML, scripts…). */
  content?: Record<string, z.ZodType>;
  headers?: HeaderSet;
}

export interface RouteDeclaration<A extends boolean, B, Q, P> extends RouteSpec<A, B, Q, P> {
  route: RouteKey;
  tag: Tag;
  summary: string;
  description?: string;
  /** Request headers the handler reads (documented; the handler parses them itself). */
  requestHeaders?: z.ZodObject;
  /** An example request body. */
  example?: unknown;
  /** Answers other than errors, by status. */
  responses: Record<number, Answer>;
  /** Error codes by status, besides those its auth, body and parameters imply (lib/api/error-codes.ts). */
  errors?: ErrorsByStatus;
  /** Headers of particular error answers, besides those every such status carries. */
  errorHeaders?: Partial<Record<number, HeaderSet>>;
  /** Reads or writes MongoDB (503/504 possible); default: when authenticated. */
  usesDatabase?: boolean;
}

type Schema = z.ZodType | undefined;
export type AnyRoute = RouteDeclaration<boolean, Schema, Schema, Schema>;

/** Keeps each declaration's schema types, so handlers get typed body, query and path. */
export const declare = <
  A extends boolean,
  B extends Schema = undefined,
  Q extends Schema = undefined,
  P extends Schema = undefined,
>(
  declaration: RouteDeclaration<A, B, Q, P>,
): RouteDeclaration<A, B, Q, P> => declaration;

/** Method and path of a route key; undefined for the catch-all. */
export const methodAndPath = (route: RouteKey): { method: Method; path: string } | undefined => {
  if (route === '$default') return undefined;
  const [method, path] = route.split(' ') as [Method, string];
  return { method, path };
};
