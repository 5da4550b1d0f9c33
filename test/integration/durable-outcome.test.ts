import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import type { RunningServer } from '../../shared/http/serve.js';
import { createLogger } from '../../shared/logging/logger.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { StateClient } from '../../shared/state/state-client.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from '../support/auth.js';
import { freePort } from '../support/free-port.js';
import { GatedProvisioner } from '../support/gated-provisioner.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';
import { deployWrite } from '../support/state-writes.js';
import { waitFor } from '../support/wait-for.js';

/**
 * A microservice whose work finishes while the state service is down keeps
 * its outcome and reports it once the state service is back: the work is not
 * lost, and nothing has to do it again (without the retry, the outcome would
 * be dropped and the resource would stay CREATING until re-dispatched).
 */
let stack: TestStack;
let tokens: TestTokens;
let statePort: number;
let stateService: RunningServer | undefined;
let microservice: RunningServer;
const gated = new GatedProvisioner();
/** What the microservice logged, message by message: the test waits on its retries. */
const logged: string[] = [];

const startState = async () =>
  startStateService(
    {
      host: '127.0.0.1',
      port: statePort,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tables: DEFAULT_STATE_TABLES,
      createTables: true,
      tokenTable: DEFAULT_TOKEN_TABLE,
      auth: { tokenCacheMs: 0 },
    },
    silentLogger,
  );

beforeAll(async () => {
  stack = await startTestStack();
  statePort = await freePort();
  stateService = await startState();
  tokens = await issueTestTokens(stack);
  const logger = createLogger('gated', 'info', {
    write: (line: string) => {
      logged.push(JSON.parse(line).msg);
    },
  });
  microservice = await startResourceService({
    service: 'gated',
    provisioner: gated,
    stateServiceUrl: stateService.url,
    host: '127.0.0.1',
    port: 0,
    logger,
    heartbeatMs: 100,
    serviceToken: tokens.gatedService,
    // The verifier caches the provisioner's token, so the call is accepted without the state service.
    stateTimeoutMs: 500,
  });
});
afterAll(async () => {
  gated.release();
  await microservice?.close();
  await stateService?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

const ref = { environment: 'test', domain: 'sales', name: 'durable', version: '1.0.0' };

describe('an outcome reported while the state service is down', () => {
  it('is written once the state service is back, and the work is done once', async () => {
    const state = new StateClient(stateService?.url ?? '', { token: tokens.provisioner });
    await state.writeDataProduct(deployWrite(ref, [{ name: 'only', technology: 'gated' }]));
    gated.hold('only');
    const accepted = await fetch(`${microservice.url}/v1/dataproduct/resource`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.provisioner}` },
      body: JSON.stringify({
        operationId: 'op-1',
        attempt: 1,
        dataProduct: ref,
        descriptor: {
          ...ref,
          environment: { name: 'test', specific: {} },
          outputPorts: [{ name: 'only', technology: 'gated', specific: {} }],
        },
        resource: {
          kind: 'outputPort',
          name: 'only',
          type: 'raw',
          technology: 'gated',
          specific: {},
          allow: [],
          dependsOn: [],
        },
        removeData: false,
      }),
    });
    expect(accepted.status).toBe(202);

    await stateService?.close();
    stateService = undefined;
    gated.release('only');
    await waitFor(
      async () => logged.filter((message) => message === 'state service unavailable; reporting again').length,
      (retries) => retries >= 2,
    );
    stateService = await startState();

    const settled = await waitFor(
      () => state.getResource(ref, 'only'),
      (resource) => resource?.state === 'CREATED',
    );
    expect(settled).toMatchObject({ state: 'CREATED', attempt: 1 });
    expect(gated.callsOf('only')).toHaveLength(1);
    expect(logged).toContain('resource settled');
  });
});
