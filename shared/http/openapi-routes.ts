import type { Express } from 'express';
import { HTTP_METHODS, type OpenApiDocument } from './openapi.js';

/** One method on one path, in OpenAPI spelling (`/v1/x/{id}`). */
export interface RouteRef {
  method: string;
  path: string;
}

export interface RouteCoverage {
  /** Routed by the app, absent from the document. */
  undocumented: RouteRef[];
  /** In the document, routed by nothing. */
  unrouted: RouteRef[];
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/**
 * Every `app.get/post/…` and `router.get/post/…` of an express 5 app,
 * mounted routers included; middleware (`app.use(fn)`, static files) is not
 * a route. `:name` parameters become `{name}`.
 */
export function expressRoutes(app: Express): RouteRef[] {
  return routesOf((app.router as unknown as { stack: Layer[] }).stack, '');
}

export function documentedRoutes(document: OpenApiDocument): RouteRef[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method]).map((method) => ({ method, path })),
  );
}

/** Both directions at once: what the app routes and the document omits, and the reverse. */
export function routeCoverage(app: Express, document: OpenApiDocument): RouteCoverage {
  const routed = expressRoutes(app);
  const documented = documentedRoutes(document);
  const key = (route: RouteRef) => `${route.method} ${route.path}`;
  const routedKeys = new Set(routed.map(key));
  const documentedKeys = new Set(documented.map(key));
  return {
    undocumented: routed.filter((route) => !documentedKeys.has(key(route))),
    unrouted: documented.filter((route) => !routedKeys.has(key(route))),
  };
}

function routesOf(stack: Layer[], prefix: string): RouteRef[] {
  const routes: RouteRef[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const path of [layer.route.path].flat()) {
        for (const [method, enabled] of Object.entries(layer.route.methods)) {
          if (enabled && method !== '_all') routes.push({ method, path: toOpenApiPath(prefix + path) });
        }
      }
    } else if (layer.handle?.stack) {
      for (const mount of [layer.rawPath ?? '/'].flat()) {
        routes.push(...routesOf(layer.handle.stack, mount === '/' ? prefix : prefix + mount));
      }
    }
  }
  return routes;
}

function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
