import { Writable } from 'node:stream';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logging/logger.js';
import { authed } from '../support/auth.js';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
    done();
  },
});

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({
    deadPort: await freePort(),
    logger: createLogger('observed', 'debug', sink),
  });
});
afterAll(async () => {
  await platform?.close();
});

describe('request ids', () => {
  it('are echoed, and carried by every call a request leads to, across services', async () => {
    const response = await platform.api
      .post('/v1/dataproduct')
      .set('x-request-id', 'trace-4711')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('traced', [{ name: 'a' }]));
    expect(response.status).toBe(202);
    expect(response.headers['x-request-id']).toBe('trace-4711');
    await waitFor(
      async () => (await platform.api.get('/v1/dataproduct/state/test/sales/traced/1.0.0')).body.state,
      (state) => state === 'CREATED',
    );
    const traced = lines.filter((line) => (line.req as { id?: string } | undefined)?.id === 'trace-4711');
    const urls = traced.map((line) => (line.req as { url: string }).url);
    expect(urls).toContain('/v1/dataproduct');
    expect(urls).toContain('/v1/state/dataproduct');
    expect(urls).toContain('/v1/dataproduct/resource');
    const finished = lines.find((line) => line.msg === 'operation finished');
    expect(finished?.operationId).toBe(response.body.operationId);
  });

  it('replaces an unsafe request id with a fresh one', async () => {
    const response = await platform.api
      .get('/v1/dataproduct?domain=sales')
      .set('x-request-id', 'bad id\twith spaces');
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** How many gated resources the provisioner recorded as provisioned successfully. */
function settledCount(metrics: string): number {
  const line = metrics
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith('dmp_resource_provisioning_seconds_count{') &&
        candidate.includes('technology="gated"') &&
        candidate.includes('outcome="succeeded"'),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('GET /metrics', () => {
  it('needs a token, and exposes latency, operations, provisioning time and polls', async () => {
    expect((await request(platform.provisioner.url).get('/metrics')).status).toBe(401);
    const settledBefore = settledCount(
      (await authed(platform.provisioner.url, platform.tokens.salesReader).get('/metrics')).text,
    );
    await platform.api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('measured', [{ name: 'a' }, { name: 'b', dependsOn: ['a'] }]));
    await waitFor(
      async () => (await platform.api.get('/v1/dataproduct/state/test/sales/measured/1.0.0')).body.state,
      (state) => state === 'CREATED',
    );
    const metrics = await authed(platform.provisioner.url, platform.tokens.salesReader).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    const text = metrics.text;
    expect(text).toMatch(
      /dmp_http_request_duration_seconds_count\{[^}]*route="\/v1\/dataproduct"[^}]*\} \d+/,
    );
    expect(text).toMatch(/dmp_operations_total\{[^}]*kind="deploy"[^}]*outcome="CREATED"[^}]*\} [1-9]/);
    // Every resource that settled is counted once, whichever read of the state showed it settled.
    expect(settledCount(text) - settledBefore).toBe(2);
    expect(text).toMatch(/dmp_state_polls_total\{[^}]*\} [1-9]/);
    const state = await authed(platform.stateService.url, platform.tokens.salesReader).get('/metrics');
    expect(state.text).toMatch(
      /dmp_http_request_duration_seconds_count\{[^}]*route="\/v1\/state\/dataproduct\/resource"/,
    );
  });
});
