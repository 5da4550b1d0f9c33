import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownedFunctionName } from '../../microservices/lambda-runtime/lambda-naming.js';
import { LocalFunctionHost } from '../../microservices/lambda-runtime/local-function-host.js';
import { WorkloadProvisioner } from '../../microservices/workload/workload-provisioner.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

const BUCKET = 'dmp-datamesh-s3';
const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
/** A job that reports what it was given: its dependency's folder, the whole dependency map, its own variable. */
const job = (release: string) => `
exports.handler = async (event) => ({
  release: '${release}',
  folder: process.env.DMP_DEP_RAW_ORDERS_URI,
  dependencies: JSON.parse(process.env.DMP_DEPENDENCIES),
  logLevel: process.env.LOG_LEVEL,
  dataProduct: process.env.DMP_DATA_PRODUCT,
  doubled: event.n * 2,
});
`;
const rawOrders = {
  kind: 'outputPort' as const,
  technology: 's3',
  info: { uri: 's3://ms-datamesh-s3/orders/raw/', directories: ['orders/raw'] },
};

function resource(specific: Record<string, unknown>): ResourceDescriptor {
  return {
    kind: 'workload',
    name: 'count',
    type: 'job',
    technology: 'aws-lambda',
    allow: [],
    dependsOn: ['raw-orders'],
    specific: { bucket: BUCKET, handler: 'count.handler', ...specific },
  };
}

function request(specific: Record<string, unknown>): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: resource(specific),
    removeData: false,
    attempt: 1,
    dependencies: { 'raw-orders': rawOrders },
  };
}

describe('a workload on the local Lambda runtime (s3rver + dynalite + a sandboxed process per invocation)', () => {
  let stack: TestStack;
  let host: LocalFunctionHost;
  let provisioner: WorkloadProvisioner;

  beforeAll(async () => {
    stack = await startTestStack();
    for (const release of ['v1', 'v2']) {
      await stack.s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `test/sales/jobs/${release}/count.js`,
          Body: job(release),
        }),
      );
    }
    host = await LocalFunctionHost.create({
      dynamo: stack.dynamo,
      s3: stack.s3,
      codeDir: join(stack.dataDir, 'lambda'),
      logger: silentLogger,
    });
    provisioner = new WorkloadProvisioner(host);
  });

  afterAll(async () => {
    await host?.close();
    await stack?.close();
    if (stack) removeDir(stack.dataDir);
  });

  it('deploys the artifact, and the running function sees its dependency through its environment', async () => {
    const info = await provisioner.create(
      request({ artifact: 'test/sales/jobs/v1/count.js', environment: { LOG_LEVEL: 'debug' } }),
      null,
    );

    const invocation = await host.invoke(String(info.functionName), { n: 21 });

    expect(invocation).toEqual({
      ok: true,
      payload: {
        release: 'v1',
        folder: 's3://ms-datamesh-s3/orders/raw/',
        dependencies: { 'raw-orders': rawOrders.info },
        logLevel: 'debug',
        dataProduct: 'test/sales/orders/1.0.0',
        doubled: 42,
      },
    });
  });

  it('converges when dispatched again, then runs new code and configuration after PUT', async () => {
    const applied = resource({
      artifact: 'test/sales/jobs/v1/count.js',
      environment: { LOG_LEVEL: 'debug' },
    });
    const again = await provisioner.create(request(applied.specific), null);

    const info = await provisioner.update(
      request({ artifact: 'test/sales/jobs/v2/count.js', environment: { LOG_LEVEL: 'warn' } }),
      applied,
    );

    expect(info.functionName).toBe(again.functionName);
    const invocation = await host.invoke(String(info.functionName), { n: 1 });
    expect(invocation).toMatchObject({ ok: true, payload: { release: 'v2', logLevel: 'warn', doubled: 2 } });
  });

  it('takes a PUT that changes the artifact and the handler module together', async () => {
    await stack.s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'test/sales/jobs/v4/tally.js', Body: job('v4') }),
    );
    const applied = resource({ artifact: 'test/sales/jobs/v2/count.js' });
    await provisioner.create(request(applied.specific), null);

    const moved = { artifact: 'test/sales/jobs/v4/tally.js', handler: 'tally.handler' };
    const info = await provisioner.update(request(moved), applied);

    expect(await host.describe(String(info.functionName))).toMatchObject({ handler: 'tally.handler' });
    expect(await host.invoke(String(info.functionName), { n: 2 })).toMatchObject({
      ok: true,
      payload: { release: 'v4', doubled: 4 },
    });
  });

  it('fails clearly when the artifact is missing, and DELETE removes the function', async () => {
    await expect(
      provisioner.create(
        request({ artifact: 'test/sales/jobs/v3/count.js', lambdaName: 'orders-count-v3' }),
        null,
      ),
    ).rejects.toThrow(/s3:\/\/dmp-datamesh-s3\/test\/sales\/jobs\/v3\/count.js does not exist/);
    expect(await host.describe(ownedFunctionName('dmp-wl', ref, 'count', 'orders-count-v3'))).toBeUndefined();

    const applied = resource({ artifact: 'test/sales/jobs/v2/count.js' });
    const info = await provisioner.update(request(applied.specific), applied);
    await provisioner.remove(request(applied.specific), applied);

    expect(await host.describe(String(info.functionName))).toBeUndefined();
    await expect(host.invoke(String(info.functionName), {})).rejects.toThrow(/does not exist/);
  });
});
