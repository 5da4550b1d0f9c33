import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTokenStore } from '../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../shared/auth/token-service.js';
import type { DataProductDescriptor } from '../../shared/descriptor/types.js';
import { HttpObservability } from '../../shared/http/observability.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import { StateClient } from '../../shared/state/state-client.js';
import { createStateServiceApp } from '../../state-service/http/state-service-app.js';
import { StateUseCases } from '../../state-service/state-use-cases.js';
import { DynamoStateStore } from '../../state-service/store/dynamo-state-store.js';
import { ensureStateTables, type StateTableNames } from '../../state-service/store/state-tables.js';
import { authed, issueTestTokens, type TestTokens } from '../support/auth.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

const TABLES: StateTableNames = {
  dataProducts: 'lp-dataproduct-state',
  resources: 'lp-resource-state',
  history: 'lp-state-history',
};

let stack: TestStack;
let service: RunningServer;
let tokens: TestTokens;
let state: StateClient;

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await issueTestTokens(stack);
  await ensureStateTables(stack.dynamo, TABLES);
  const tokenService = new TokenService(await DynamoTokenStore.create(stack.dynamo));
  service = await serve(
    createStateServiceApp({
      useCases: new StateUseCases(new DynamoStateStore(stack.dynamo, TABLES)),
      tokens: tokenService,
      verifier: tokenService,
      observability: new HttpObservability('state-service', silentLogger),
      logger: silentLogger,
    }),
    0,
  );
  state = new StateClient(service.url, { token: tokens.provisioner, attempts: 1 });
});

afterAll(async () => {
  await service?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

let counter = 0;
const refOf = (name: string) => ({ environment: 'test', domain: 'sales', name, version: '1.0.0' });

const descriptorOf = (name: string): DataProductDescriptor => ({
  name,
  domain: 'sales',
  version: '1.0.0',
  environment: { name: 'test', specific: {} },
  outputPorts: [
    {
      kind: 'outputPort',
      name: 'raw',
      type: 'raw',
      technology: 's3',
      owner: 'sales-owner',
      allow: [],
      dependsOn: [],
      specific: {},
    },
  ],
  workloads: [],
  observability: [],
});

/** A data product in CREATING under op-1, and the historySeq it stands at. */
async function creating(): Promise<{ name: string; seq: number }> {
  const name = `lp-${++counter}`;
  await state.writeDataProduct({
    ...refOf(name),
    state: 'CREATING',
    operationId: 'op-1',
    descriptor: descriptorOf(name),
  });
  const document = await state.getDataProduct(refOf(name));
  return { name, seq: document?.historySeq ?? -1 };
}

const resourceWrite = (name: string, resourceState: 'CREATING' | 'CREATED') => ({
  environment: 'test',
  domain: 'sales',
  dataProduct: name,
  version: '1.0.0',
  name: 'raw',
  kind: 'outputPort' as const,
  technology: 's3',
  state: resourceState,
  operationId: 'op-1',
});

describe('long-poll of a data product state', () => {
  it('carries the sequence of the latest transition, which every write moves on', async () => {
    const { name, seq } = await creating();
    expect(seq).toBeGreaterThan(0);
    await state.writeResource(resourceWrite(name, 'CREATING'));
    const document = await state.getDataProduct(refOf(name));
    expect(document?.historySeq).toBe(seq + 1);
  });

  it('answers at once when the data product already moved past changedAfter', async () => {
    const { name, seq } = await creating();
    await state.writeResource(resourceWrite(name, 'CREATING'));
    const waitMs = 20_000;
    const started = Date.now();
    const document = await state.getDataProduct(refOf(name), { changedAfter: seq, waitMs });
    expect(Date.now() - started).toBeLessThan(waitMs / 2);
    expect(document?.historySeq).toBe(seq + 1);
    expect(document?.resources.map((resource) => resource.state)).toEqual(['CREATING']);
  });

  it('answers as soon as a write lands, with that write', async () => {
    const { name, seq } = await creating();
    const waitMs = 20_000;
    const started = Date.now();
    let wroteAt = 0;
    const polled = state.getDataProduct(refOf(name), { changedAfter: seq, waitMs }).then((document) => ({
      document,
      at: Date.now(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await state.writeResource(resourceWrite(name, 'CREATING'));
    wroteAt = Date.now();
    const { document, at } = await polled;
    expect(document?.historySeq).toBe(seq + 1);
    expect(document?.resources.map((resource) => resource.state)).toEqual(['CREATING']);
    // It waited for the write (it could not have its content otherwise) and did not sit out waitMs.
    expect(at).toBeGreaterThanOrEqual(wroteAt - 50);
    expect(at - started).toBeLessThan(waitMs / 2);
  });

  it('answers the unchanged data product once waitMs elapses', async () => {
    const { name, seq } = await creating();
    const waitMs = 300;
    const started = Date.now();
    const document = await state.getDataProduct(refOf(name), { changedAfter: seq, waitMs });
    expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs - 10);
    expect(document?.historySeq).toBe(seq);
    expect(document?.resources).toEqual([]);
    expect(document?.state).toBe('CREATING');
  });

  it('refuses a waitMs beyond 20 s and an unknown query parameter, naming each', async () => {
    const { name } = await creating();
    const response = await authed(service.url, tokens.provisioner).get(
      `/v1/state/dataproduct/test/sales/${name}/1.0.0?changedAfter=-1&waitMs=20001&since=3`,
    );
    expect(response.status).toBe(400);
    const paths = (response.body.errors as { path: string }[]).map((issue) => issue.path).sort();
    expect(paths).toEqual(['/query/changedAfter', '/query/since', '/query/waitMs']);
  });

  it.each([0, 5])(
    'answers 404 at once for an unknown data product (changedAfter %i)',
    async (changedAfter) => {
      const waitMs = 20_000;
      const started = Date.now();
      expect(await state.getDataProduct(refOf('lp-unknown'), { changedAfter, waitMs })).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(waitMs / 2);
    },
  );

  it('asks only the history head before waiting when nothing moved, and reads the document once, after', async () => {
    const { name, seq } = await creating();
    const store = new DynamoStateStore(stack.dynamo, TABLES);
    const storeCalls: string[] = [];
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          storeCalls.push(String(property));
          return value.apply(target, args);
        };
      },
    });
    const useCases = new StateUseCases(counting);

    const document = await useCases.watchDataProduct(refOf(name), { changedAfter: seq, waitMs: 200 });

    expect(document?.historySeq).toBe(seq);
    // The head, then (after waitMs) one document read: history head, state item, resource items, lease.
    expect(storeCalls).toEqual([
      'latestHistoryItem',
      'latestHistoryItem',
      'getDataProduct',
      'listResources',
      'getLease',
    ]);
  });
});
