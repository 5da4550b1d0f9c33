import type { RequestHandler } from 'express';
import { OBSERVER_REQUEST_ID } from './bench-client.js';

/** Who called the state service, told apart by the bearer token each caller was issued. */
export type Caller = 'provisioner' | 'microservice' | 'bench' | 'other';

/**
 * Counts the requests the state service receives, by caller and by route
 * (path parameters folded), so that a case can say where its traffic went.
 * What the provisioner asks on behalf of the bench's own GETs (they carry the
 * bench's request id) is the bench's, not the platform's.
 */
export class RequestCounter {
  private readonly counts = new Map<string, number>();
  private readonly callers = new Map<string, Caller>();
  private readonly busyMs = new Map<string, number>();

  identify(token: string, caller: Caller): void {
    this.callers.set(`Bearer ${token}`, caller);
  }

  middleware(): RequestHandler {
    return (req, res, next) => {
      const observer = req.headers['x-request-id'] === OBSERVER_REQUEST_ID;
      const caller = observer ? 'bench' : (this.callers.get(req.headers.authorization ?? '') ?? 'other');
      const key = `${caller} ${req.method} ${routeOf(req.path)}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      const started = performance.now();
      res.on('finish', () => {
        this.busyMs.set(key, (this.busyMs.get(key) ?? 0) + performance.now() - started);
      });
      next();
    };
  }

  reset(): void {
    this.counts.clear();
    this.busyMs.clear();
  }

  /** Mean time the state service took to answer, per `caller METHOD route`, in ms. */
  meanLatencyMs(): Record<string, number> {
    return Object.fromEntries(
      [...this.busyMs.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, ms]) => [key, Math.round((ms / (this.counts.get(key) ?? 1)) * 10) / 10]),
    );
  }

  /** Requests so far, keyed `caller METHOD route`. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  total(callers: readonly Caller[]): number {
    let sum = 0;
    for (const [key, count] of this.counts)
      if (callers.some((caller) => key.startsWith(`${caller} `))) sum += count;
    return sum;
  }
}

const FIXED_ROUTES = new Set([
  '/v1/state/dataproduct',
  '/v1/state/dataproduct/resource',
  '/v1/state/dataproduct/resource/heartbeat',
  '/v1/state/dataproduct/lease',
  '/v1/state/dataproduct/cancel',
  '/v1/auth/verify',
]);

function routeOf(path: string): string {
  if (FIXED_ROUTES.has(path)) return path;
  if (path.startsWith('/v1/state/dataproduct/resource/'))
    return '/v1/state/dataproduct/resource/{ref}/{name}';
  if (path.startsWith('/v1/state/dataproduct/history/')) return '/v1/state/dataproduct/history/{ref}';
  if (path.startsWith('/v1/state/dataproduct/')) return '/v1/state/dataproduct/{ref}';
  return path;
}
