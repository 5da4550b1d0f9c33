import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import { authed } from '../support/auth.js';
import { type Child, startChild } from '../support/child-process.js';
import { descriptorYaml, statePath } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

// Each test starts processes, which a loaded machine may take a while to do.
vi.setConfig({ testTimeout: 180_000 });

const LEASE_MS = 1_500;
let platform: TestPlatform;
const children: Child[] = [];

beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort(), withProvisioner: false });
});
afterEach(async () => {
  platform.gated.release();
  platform.gated.calls.length = 0;
  await Promise.all(children.splice(0).map((child) => child.kill()));
});
afterAll(async () => {
  await platform?.close();
});

/** A provisioner in its own process, against the test's state service and microservices. */
async function provisionerProcess(instanceId: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = await startChild(
    'provisioner/main.ts',
    {
      DMP_PROVISIONER_PORT: String(port),
      DMP_STATE_SERVICE_URL: platform.stateService.url,
      DMP_DISCOVERY_CONFIG: platform.discoveryConfigPath,
      DMP_INSTANCE_ID: instanceId,
      DMP_LEASE_MS: String(LEASE_MS),
      DMP_SWEEP_INTERVAL_MS: '300',
      DMP_POLL_INITIAL_MS: '20',
      DMP_POLL_MAX_MS: '200',
      DMP_STALE_HEARTBEAT_MS: '60000',
      DMP_SERVICE_TOKEN: platform.tokens.provisioner,
      ...env,
    },
    /provisioner listening on/,
  );
  children.push(child);
  return { child, api: authed(`http://127.0.0.1:${port}`, platform.tokens.admin) };
}

/** The gated test microservice in its own process, serving technology `dead` on the platform's dead port. */
async function microserviceProcess(hold: boolean) {
  const child = await startChild(
    'test/support/gated-service-main.ts',
    {
      GATED_TECHNOLOGY: 'dead',
      GATED_PORT: String(platform.deadPort),
      GATED_HOLD: hold ? '1' : '0',
      DMP_STATE_SERVICE_URL: platform.stateService.url,
      DMP_HEARTBEAT_MS: '100',
      DMP_SERVICE_TOKEN: platform.tokens.deadService,
    },
    /listening/,
  );
  children.push(child);
  return child;
}

const ref = (name: string) => ({ environment: 'test', domain: 'sales', name, version: '1.0.0' });
const stateOf = async (name: string) => (await platform.state.getDataProduct(ref(name))) ?? null;
const post = (api: ReturnType<typeof authed>, yaml: string) =>
  api.post('/v1/dataproduct').set('Content-Type', 'application/yaml').send(yaml);

describe('a provisioner killed mid-operation', () => {
  it('is resumed by a new provisioner, which does not dispatch again what was CREATED', async () => {
    const chain = ['r1', 'r2', 'r3', 'r4', 'r5'].map((name, index, all) => ({
      name,
      dependsOn: index === 0 ? [] : [all[index - 1] as string],
    }));
    platform.gated.hold('r3');
    const first = await provisionerProcess('first');
    expect((await post(first.api, descriptorYaml('killed', chain))).status).toBe(202);
    await waitFor(
      async () => platform.gated.callsOf('r3').length,
      (count) => count === 1,
    );

    await first.child.kill('SIGKILL');
    const killedAt = Date.now();
    const stranded = await stateOf('killed');
    expect(stranded?.state).toBe('CREATING');
    expect(stranded?.lease?.owner).toBe('first');

    const second = await provisionerProcess('second');
    platform.gated.release('r3');
    const done = await waitFor(
      async () => (await second.api.get(statePath('killed'))).body as PublicDataProductState,
      (body) => body.state !== 'CREATING',
    );
    expect(done.state).toBe('CREATED');
    expect(done.resources.map((resource) => resource.state)).toEqual(Array(5).fill('CREATED'));
    for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) expect(platform.gated.callsOf(name)).toHaveLength(1);
    const finished = await platform.state.history(ref('killed'));
    expect(finished.entries.at(-1)).toMatchObject({ to: 'CREATED', actor: 'provisioner:second' });
    // Resumed by the lease's expiry, not by a resource timing out: nothing failed on the way.
    expect(finished.entries.filter((entry) => entry.to === 'FAILED')).toEqual([]);
    const resumed = finished.entries.find((entry) => entry.actor === 'provisioner:second');
    expect(Date.parse(resumed?.at ?? '')).toBeGreaterThanOrEqual(killedAt);
  });
});

describe('a microservice killed mid-work', () => {
  it('is noticed by its missing heartbeat and the resource is dispatched again, well before its timeout', async () => {
    // 30 heartbeats make a stale period: a loaded machine delays a beat, not thirty.
    const provisioner = await provisionerProcess('watcher', { DMP_STALE_HEARTBEAT_MS: '3000' });
    const doomed = await microserviceProcess(true);
    expect(
      (await post(provisioner.api, descriptorYaml('orphan', [{ name: 'job', technology: 'dead' }]))).status,
    ).toBe(202);
    await waitFor(
      async () =>
        (await stateOf('orphan'))?.resources.find((resource) => resource.name === 'job')?.heartbeatAt ?? null,
      (heartbeat) => heartbeat !== null,
    );
    await doomed.kill('SIGKILL');
    await microserviceProcess(false);

    const done = await waitFor(
      async () => (await stateOf('orphan')) as NonNullable<Awaited<ReturnType<typeof stateOf>>>,
      (body) => body.state !== 'CREATING',
      { timeoutMs: 60_000 },
    );
    expect(done.state).toBe('CREATED');
    const attempt = done.resources[0]?.attempt ?? 0;
    expect(attempt).toBeGreaterThanOrEqual(2);
    const { entries } = await platform.state.history(ref('orphan'));
    expect(entries.some((entry) => entry.note === `re-dispatched as attempt ${attempt}`)).toBe(true);
    // Re-dispatched because its heartbeat went stale, not failed by its transit timeout (10 minutes).
    expect(entries.filter((entry) => entry.to === 'FAILED')).toEqual([]);
  });
});

describe('two provisioners against the same tables', () => {
  it('accept exactly one of 20 concurrent POSTs, and run its operation once', async () => {
    const [a, b] = await Promise.all([provisionerProcess('replica-a'), provisionerProcess('replica-b')]);
    const yaml = descriptorYaml('contended', [{ name: 'only' }]);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => post(index % 2 === 0 ? a.api : b.api, yaml)),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    await waitFor(
      async () => (await stateOf('contended'))?.state,
      (state) => state === 'CREATED',
    );
    expect(platform.gated.callsOf('only')).toHaveLength(1);
    const { entries } = await platform.state.history(ref('contended'));
    expect(entries.filter((entry) => entry.resource === null && entry.to === 'CREATING')).toHaveLength(1);
  });
});
