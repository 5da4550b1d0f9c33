import { matchRoute, type RouteMatch } from './api-gateway-proxy.js';
import type { LocalRoute, LocalRouteTable } from './local-route-table.js';

/** A path that matches nothing reloads the routes at most this often, so 404 floods cannot become scan floods. */
const MIN_RELOAD_MS = 100;

/**
 * The route list, read from the table and trusted for a short time: a route
 * published by another process answers at once (an unknown path reloads),
 * an unpublished one stops answering within the TTL.
 */
export class LocalRouteCache {
  private routes: readonly LocalRoute[] = [];
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<readonly LocalRoute[]> | undefined;

  constructor(
    private readonly table: LocalRouteTable,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  async find(restApiId: string, stage: string, segments: readonly string[]): Promise<RouteMatch | undefined> {
    const age = this.clock() - this.loadedAt;
    const routes = age > this.ttlMs ? await this.reload() : this.routes;
    const match = matchRoute(routes, restApiId, stage, segments);
    if (match || this.clock() - this.loadedAt < MIN_RELOAD_MS) return match;
    return matchRoute(await this.reload(), restApiId, stage, segments);
  }

  private reload(): Promise<readonly LocalRoute[]> {
    this.loading ??= this.table
      .list()
      .then((routes) => {
        this.routes = routes;
        this.loadedAt = this.clock();
        return routes;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }
}
