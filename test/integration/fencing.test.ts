import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import { StateClient } from '../../shared/state/state-client.js';
import { freePort } from '../support/free-port.js';
import { deployWrite } from '../support/state-writes.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort(), withProvisioner: false });
});
afterAll(async () => {
  await platform?.close();
});

const ref = { environment: 'test', domain: 'sales', name: 'fenced', version: '1.0.0' };
const resource = { environment: 'test', domain: 'sales', dataProduct: 'fenced', version: '1.0.0', name: 'a' };
const deploy = (operationId: string) => deployWrite(ref, [{ name: 'a', technology: 'gated' }], operationId);

describe('fencing', () => {
  it('refuses a late CREATED from a superseded operation with 409 and leaves the state unchanged', async () => {
    const provisioner = platform.state;
    const microservice = new StateClient(platform.stateService.url, { token: platform.tokens.gatedService });

    await provisioner.writeDataProduct(deploy('op-a'));
    await microservice.writeResource({
      ...resource,
      kind: 'outputPort',
      technology: 'gated',
      state: 'CREATING',
      operationId: 'op-a',
      attempt: 1,
    });
    // op-a times out: the provisioner fails the resource and closes the operation.
    await provisioner.writeResource({
      ...resource,
      state: 'FAILED',
      operationId: 'op-a',
      attempt: 1,
      lastError: 'timed out',
    });
    await provisioner.writeDataProduct({
      ...ref,
      state: 'NOT_COMPLETED',
      operationId: 'op-a',
      lastError: 'a failed: timed out',
    });
    // A new deploy starts op-b, and its microservice call moves the resource again.
    await provisioner.writeDataProduct(deploy('op-b'));
    await microservice.writeResource({ ...resource, state: 'CREATING', operationId: 'op-b', attempt: 1 });
    const before = await provisioner.getResource(ref, 'a');

    const late = microservice.writeResource({
      ...resource,
      state: 'CREATED',
      operationId: 'op-a',
      attempt: 1,
      info: { stale: true },
    });
    await expect(late).rejects.toBeInstanceOf(ConflictError);
    await expect(late).rejects.toMatchObject({ details: { currentState: 'CREATING', operationId: 'op-b' } });

    const after = await provisioner.getResource(ref, 'a');
    expect(after).toEqual(before);
    expect(after).toMatchObject({ state: 'CREATING', operationId: 'op-b', info: null });
    const { entries } = await provisioner.history(ref);
    expect(entries.some((entry) => entry.operationId === 'op-a' && entry.to === 'CREATED')).toBe(false);
  });
});
