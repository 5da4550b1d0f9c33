import { setTimeout as sleep } from 'node:timers/promises';
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
  private loading: { startedAt: number; routes: Promise<readonly LocalRoute[]> } | undefined;

  constructor(
    private readonly table: LocalRouteTable,
    private readonly ttlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * A path no cached route matches is looked up again in a list loaded after
   * the request came in, so a route published a moment ago always answers;
   * reloads still happen at most every MIN_RELOAD_MS.
   */
  async find(restApiId: string, stage: string, segments: readonly string[]): Promise<RouteMatch | undefined> {
    const requestedAt = this.clock();
    const routes = requestedAt - this.loadedAt > this.ttlMs ? await this.reload(requestedAt) : this.routes;
    const match = matchRoute(routes, restApiId, stage, segments);
    if (match) return match;
    const wait = this.loadedAt + MIN_RELOAD_MS - this.clock();
    if (wait > 0) await sleep(wait);
    return matchRoute(await this.reload(requestedAt), restApiId, stage, segments);
  }

  /** Routes read by a load that surely started after `notBefore` (a later millisecond, or one started here). */
  private async reload(notBefore: number): Promise<readonly LocalRoute[]> {
    if (this.loadedAt > notBefore) return this.routes;
    if (this.loading && this.loading.startedAt > notBefore) return this.loading.routes;
    if (this.loading) await this.loading.routes.catch(() => undefined);
    if (this.loadedAt > notBefore) return this.routes;
    if (this.loading && this.loading.startedAt > notBefore) return this.loading.routes;
    const startedAt = this.clock();
    const routes = this.table
      .list()
      .then((loaded) => {
        this.routes = loaded;
        this.loadedAt = startedAt;
        return loaded;
      })
      .finally(() => {
        if (this.loading?.routes === routes) this.loading = undefined;
      });
    this.loading = { startedAt, routes };
    return routes;
  }
}
