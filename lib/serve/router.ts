import { methodAndPath, type RouteKey } from '../api/declaration';

/**
 * API Gateway's routing, for the self-hosted server: a route key such as
 * "GET /api/library/{id}/unused" matches that method and path, `{id}` one
 * decoded path segment; anything else goes to the `$default` route.
 */

export interface CompiledRoute {
  name: string;
  key: RouteKey;
  method: string;
  pattern: RegExp;
  params: string[];
}

export interface RouteMatch {
  name: string;
  key: RouteKey;
  pathParameters?: Record<string, string>;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const compileRoutes = (routes: Record<string, { route: RouteKey }>): CompiledRoute[] =>
  Object.entries(routes).flatMap(([name, { route }]) => {
    const key = methodAndPath(route);
    if (!key) return [];
    const params: string[] = [];
    const source = key.path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\}$/.exec(segment)?.[1];
        if (!param) return escapeRegExp(segment);
        params.push(param);
        return '([^/]+)';
      })
      .join('/');
    return [{ name, key: route, method: key.method, pattern: new RegExp(`^${source}$`), params }];
  });

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** The route a request goes to, or undefined for the catch-all. */
export const matchRoute = (routes: readonly CompiledRoute[], method: string, path: string): RouteMatch | undefined => {
  for (const route of routes) {
    if (route.method !== method) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    if (!route.params.length) return { name: route.name, key: route.key };
    const values = found.slice(1).map(decode);
    if (values.some((v) => v === undefined)) return undefined;
    return {
      name: route.name,
      key: route.key,
      pathParameters: Object.fromEntries(route.params.map((p, i) => [p, values[i] as string])),
    };
  }
  return undefined;
};
