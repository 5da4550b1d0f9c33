import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import type { DataProductStateDocument } from '../../shared/state/records.js';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { GatedProvisioner } from '../support/gated-provisioner.js';
import { silentLogger } from '../support/silent-logger.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Microservice credentials are least privilege: during a running deploy of
 * `sales`, each service's own token tries to write what it does not serve —
 * an invented resource, a resource of another technology, one the operation
 * does not include — and is refused with nothing changed: the data
 * product's state and history read the same, and the deploy still finishes.
 */
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
});
afterAll(async () => {
  await platform?.close();
});

const ref = { environment: 'test', domain: 'sales', name: 'scoped', version: '1.0.0' };
const key = { environment: 'test', domain: 'sales', dataProduct: 'scoped', version: '1.0.0' };
const write = (token: string, body: Record<string, unknown>) =>
  request(platform.stateService.url)
    .post('/v1/state/dataproduct/resource')
    .set('Authorization', `Bearer ${token}`)
    .send({ ...key, attempt: 1, ...body });

/** The document without what moves on its own while work is held (heartbeats, the lease's renewals). */
const comparable = ({ lease: _lease, resources, ...document }: DataProductStateDocument) => ({
  ...document,
  resources: resources.map(({ heartbeatAt: _heartbeatAt, ...resource }) => resource),
});
const snapshot = async () => ({
  document: comparable((await platform.state.getDataProduct(ref)) as DataProductStateDocument),
  history: (await platform.state.history(ref)).entries,
});

describe('a microservice credential during a running deploy', () => {
  it('writes only resources of its technologies that the running operation includes, as the descriptor declares them', async () => {
    platform.gated.hold('a');
    const deploy = await platform.api
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('scoped', [{ name: 'a' }, { name: 'later', dependsOn: ['a'] }]));
    expect(deploy.status).toBe(202);
    const operationId = deploy.body.operationId as string;
    await waitFor(
      async () => (await platform.state.getResource(ref, 'a'))?.state,
      (state) => state === 'CREATING',
    );
    const before = await snapshot();
    const { s3Service, gatedService, workloadService } = platform.tokens;

    const attempts = [
      // The review's attack: the S3 token adds an invented event-store resource pointing elsewhere.
      write(s3Service, {
        name: 'evil',
        kind: 'outputPort',
        technology: 'event-store',
        state: 'CREATING',
        operationId,
        info: { endpoint: 'http://attacker.example' },
      }),
      // …or claims it as its own technology.
      write(s3Service, {
        name: 'evil',
        kind: 'outputPort',
        technology: 's3',
        state: 'CREATING',
        operationId,
      }),
      // The S3 token fails the gated resource the operation is working on.
      write(s3Service, { name: 'a', state: 'FAILED', operationId, lastError: 'sabotage' }),
      write(s3Service, { name: 'a', technology: 's3', state: 'FAILED', operationId, lastError: 'sabotage' }),
      // The workload service (aws-lambda workloads) is no more a gated service than S3 is.
      write(workloadService, { name: 'a', state: 'FAILED', operationId, lastError: 'sabotage' }),
      // The gated service writes a resource of its technology that nobody declared or dispatched.
      write(gatedService, {
        name: 'ghost',
        kind: 'outputPort',
        technology: 'gated',
        state: 'CREATING',
        operationId,
      }),
      request(platform.stateService.url)
        .post('/v1/state/dataproduct/resource/heartbeat')
        .set('Authorization', `Bearer ${s3Service}`)
        .send({ ...key, name: 'a', operationId, attempt: 1 }),
    ];
    for (const attempt of attempts) {
      const response = await attempt;
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.error).toBe('Forbidden');
    }
    // Within its technology, a write that contradicts the stored descriptor, or names another operation, is a conflict.
    const contradicting = await write(gatedService, {
      name: 'a',
      kind: 'workload',
      state: 'CREATING',
      operationId,
    });
    expect(contradicting.status).toBe(409);
    expect(contradicting.body.message).toMatch(
      /is a gated outputPort by the stored descriptor, not a gated workload/,
    );
    const stale = await write(gatedService, { name: 'a', state: 'CREATED', operationId: 'op-stale' });
    expect(stale.status).toBe(409);

    expect(await snapshot()).toEqual(before);
    expect(await platform.state.getResource(ref, 'evil')).toBeUndefined();

    platform.gated.release('a');
    const settled = await waitFor(
      async () => platform.state.getDataProduct(ref),
      (document) => document?.state === 'CREATED' || document?.state === 'NOT_COMPLETED',
    );
    expect(settled?.state).toBe('CREATED');
    expect(settled?.resources.map(({ name, state }) => `${name} ${state}`)).toEqual([
      'a CREATED',
      'later CREATED',
    ]);
  });
});

describe('a microservice run with a credential that does not cover its technology', () => {
  it('refuses the work: the resource fails with the reason, and nothing of it is written by the microservice', async () => {
    const misbound = await startResourceService({
      service: 'dead',
      provisioner: new GatedProvisioner(['dead']),
      stateServiceUrl: platform.stateService.url,
      host: '127.0.0.1',
      port: platform.deadPort,
      logger: silentLogger,
      serviceToken: platform.tokens.s3Service,
    });
    try {
      const deploy = await platform.api
        .post('/v1/dataproduct')
        .set('Content-Type', 'application/yaml')
        .send(descriptorYaml('misbound', [{ name: 'a', technology: 'dead' }]));
      expect(deploy.status).toBe(202);
      const misboundRef = { ...ref, name: 'misbound' };
      const settled = await waitFor(
        async () => platform.state.getDataProduct(misboundRef),
        (document) => document?.state === 'CREATED' || document?.state === 'NOT_COMPLETED',
      );
      expect(settled?.state).toBe('NOT_COMPLETED');
      expect(settled?.resources[0]).toMatchObject({ name: 'a', state: 'FAILED' });
      expect(settled?.resources[0]?.lastError).toMatch(
        /this credential writes s3, s3cdp resources; resource a is a dead outputPort/,
      );
      const { entries } = await platform.state.history(misboundRef);
      expect(
        entries.filter((entry) => entry.resource === 'a').map((entry) => `${entry.to} ${entry.actor}`),
      ).toEqual(['FAILED provisioner:test-provisioner']);
    } finally {
      await misbound.close();
    }
  });
});
