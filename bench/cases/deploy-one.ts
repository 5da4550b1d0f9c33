import { BenchClient, pollUntil } from '../bench-client.js';
import type { BenchPlatform } from '../bench-platform.js';
import { type DagShape, dagDescriptorYaml, statePathOf } from '../dag-descriptor.js';
import { round } from '../stats.js';

export interface DeployMeasurement {
  resources: number;
  depth: number;
  workMs: number;
  /** POST sent → state CREATED observed by a client following GET state by long-polls (as `dmp deploy --wait`). */
  deployMs: number;
  criticalPathMs: number;
  observedBy: 'long-poll';
  /** Requests the state service received from the platform (provisioner and microservice) per resource. */
  stateRequestsPerResource: number;
  stateRequests: {
    platform: number;
    byCallerAndRoute: Record<string, number>;
    meanLatencyMs: Record<string, number>;
  };
  /** Most resources the synthetic technology worked on at the same time. */
  maxConcurrentWork: number;
}

/** How long one observing read may be held by the provisioner (a change answers it at once). */
const OBSERVE_WAIT_MS = 5_000;
/** After CREATED is seen, what the operation still sends (lease release) belongs to the deploy too. */
const SETTLE_MS = 300;

/** Cases (a) and (b): one data product of a DAG of resources, timed end to end, its state traffic counted. */
export async function deployOne(
  platform: BenchPlatform,
  name: string,
  shape: DagShape,
  workMs: number,
  timeoutMs: number,
): Promise<DeployMeasurement> {
  const client = new BenchClient(platform.provisionerUrl, platform.token);
  const yaml = dagDescriptorYaml(name, shape);
  platform.counter.reset();
  platform.technology.maxConcurrent = 0;
  const started = performance.now();
  const posted = await client.postDescriptor(yaml);
  if (posted.status !== 202)
    throw new Error(`deploy refused: ${posted.status} ${JSON.stringify(posted.body)}`);
  let seen = 0;
  await pollUntil(
    async () => {
      const { body } = await client.get<{ state: string; lastError: string | null; historySeq: number }>(
        `${statePathOf(name)}?changedAfter=${seen}&waitMs=${OBSERVE_WAIT_MS}`,
      );
      if (body.state === 'CREATED') return true;
      if (body.state !== 'CREATING') throw new Error(`deploy ended ${body.state}: ${body.lastError}`);
      seen = body.historySeq;
      return undefined;
    },
    { intervalMs: 0, timeoutMs, what: `data product ${name} CREATED` },
  );
  const deployMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const platformRequests = platform.counter.total(['provisioner', 'microservice']);
  return {
    resources: shape.resources,
    depth: shape.depth,
    workMs,
    deployMs: round(deployMs, 1),
    criticalPathMs: shape.depth * workMs,
    observedBy: 'long-poll',
    stateRequestsPerResource: round(platformRequests / shape.resources),
    stateRequests: {
      platform: platformRequests,
      byCallerAndRoute: platform.counter.snapshot(),
      meanLatencyMs: platform.counter.meanLatencyMs(),
    },
    maxConcurrentWork: platform.technology.maxConcurrent,
  };
}
