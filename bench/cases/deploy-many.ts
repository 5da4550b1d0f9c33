import { BenchClient, pollUntil } from '../bench-client.js';
import type { BenchPlatform } from '../bench-platform.js';
import { BENCH_DOMAIN, type DagShape, dagDescriptorYaml } from '../dag-descriptor.js';
import { round } from '../stats.js';

export interface ThroughputMeasurement {
  dataProducts: number;
  resourcesEach: number;
  depth: number;
  seconds: number;
  /** Data products CREATED per second, all POSTed at once. */
  perSecond: number;
  stateRequestsPerResource: number;
}

/** Case (c): many data products deployed at once; one listing request per observation. */
export async function deployMany(
  platform: BenchPlatform,
  prefix: string,
  count: number,
  shape: DagShape,
  timeoutMs: number,
): Promise<ThroughputMeasurement> {
  const client = new BenchClient(platform.provisionerUrl, platform.token);
  const names = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  platform.counter.reset();
  const started = performance.now();
  const posted = await Promise.all(
    names.map((name) => client.postDescriptor(dagDescriptorYaml(name, shape))),
  );
  const refused = posted.find((answer) => answer.status !== 202);
  if (refused) throw new Error(`deploy refused: ${refused.status} ${JSON.stringify(refused.body)}`);
  const pending = new Set(names);
  await pollUntil(
    async () => {
      const { status, body } = await client.get<{
        items: { name: string; state: string; lastError: string | null }[];
      }>(`/v1/dataproduct?domain=${BENCH_DOMAIN}&limit=100`);
      if (status !== 200) throw new Error(`listing answered ${status}: ${JSON.stringify(body)}`);
      for (const item of body.items) {
        if (!pending.has(item.name)) continue;
        if (item.state === 'CREATED') pending.delete(item.name);
        else if (item.state !== 'CREATING')
          throw new Error(`${item.name} ended ${item.state}: ${item.lastError}`);
      }
      return pending.size === 0 ? true : undefined;
    },
    { intervalMs: 25, timeoutMs, what: `${count} data products CREATED` },
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    dataProducts: count,
    resourcesEach: shape.resources,
    depth: shape.depth,
    seconds: round(seconds),
    perSecond: round(count / seconds),
    stateRequestsPerResource: round(
      platform.counter.total(['provisioner', 'microservice']) / (count * shape.resources),
    ),
  };
}
