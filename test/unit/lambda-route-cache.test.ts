import { describe, expect, it } from 'vitest';
import { LocalRouteCache } from '../../microservices/lambda-runtime/local-route-cache.js';
import type { LocalRoute, LocalRouteTable } from '../../microservices/lambda-runtime/local-route-table.js';

function route(path: string): LocalRoute {
  return {
    routeKey: `api/v1/${path}`,
    restApi: 'dmp',
    restApiId: 'api',
    stage: 'v1',
    path,
    functionName: `fn-${path}`,
    functionArn: `arn:local:fn-${path}`,
    updatedAt: '2026-11-27T00:00:00Z',
  };
}

/** A route table whose list is the routes published so far, counting its reads. */
function table() {
  const published: LocalRoute[] = [];
  let reads = 0;
  const fake = {
    list: async () => {
      reads += 1;
      return [...published];
    },
  } as unknown as LocalRouteTable;
  return { fake, publish: (path: string) => published.push(route(path)), reads: () => reads };
}

describe('LocalRouteCache', () => {
  it('finds a route published right after the last load, instead of answering 404 until the cache ages', async () => {
    const routes = table();
    routes.publish('status');
    const cache = new LocalRouteCache(routes.fake, 60_000);
    expect((await cache.find('api', 'v1', ['status']))?.route.functionName).toBe('fn-status');

    routes.publish('fresh');

    expect((await cache.find('api', 'v1', ['fresh', 'below']))?.route.functionName).toBe('fn-fresh');
  });

  it('reloads at most a few times for a burst of unknown paths', async () => {
    const routes = table();
    const cache = new LocalRouteCache(routes.fake, 60_000);
    await cache.find('api', 'v1', ['warm']);
    const before = routes.reads();

    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) => cache.find('api', 'v1', [`unknown-${index}`])),
    );

    expect(answers.every((answer) => answer === undefined)).toBe(true);
    expect(routes.reads() - before).toBeLessThanOrEqual(2);
  });
});
