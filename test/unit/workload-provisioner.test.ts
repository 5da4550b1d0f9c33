import { beforeEach, describe, expect, it } from 'vitest';
import {
  legacyDefaultFunctionName,
  ownedFunctionName,
} from '../../microservices/lambda-runtime/lambda-naming.js';
import { WorkloadProvisioner } from '../../microservices/workload/workload-provisioner.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { FunctionHostDouble } from '../support/function-host-double.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const owner = 'test/sales/orders/1.0.0/count';
/** Artifacts come from the domain's own space (test/sales/…) or the platform's (artifacts/…). */
const specific = {
  bucket: 'dmp-datamesh-s3',
  artifact: 'test/sales/jobs/count-1.js',
  handler: 'count-1.handler',
};
const rawOrders = {
  kind: 'outputPort' as const,
  technology: 's3',
  info: { uri: 's3://ms-datamesh-s3/orders/raw/', bucket: 'ms-datamesh-s3' },
};

function resource(overrides: Partial<ResourceDescriptor> = {}): ResourceDescriptor {
  return {
    kind: 'workload',
    name: 'count',
    type: 'job',
    technology: 'aws-lambda',
    allow: [],
    dependsOn: ['raw-orders'],
    specific,
    ...overrides,
  };
}

function request(
  overrides: Partial<ResourceDescriptor> = {},
  extra: Partial<ResourceRequest> = {},
): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: resource(overrides),
    removeData: false,
    attempt: 1,
    dependencies: { 'raw-orders': rawOrders },
    ...extra,
  };
}

describe('WorkloadProvisioner', () => {
  let host: FunctionHostDouble;
  let provisioner: WorkloadProvisioner;
  const defaultName = ownedFunctionName('dmp-wl', ref, 'count');
  const renamed = ownedFunctionName('dmp-wl', ref, 'count', 'orders-count');

  beforeEach(() => {
    host = new FunctionHostDouble(
      new Set([
        'dmp-datamesh-s3/test/sales/jobs/count-1.js',
        'dmp-datamesh-s3/test/sales/jobs/count-2.js',
        'dmp-datamesh-s3/artifacts/jobs/count-2.js',
      ]),
    );
    provisioner = new WorkloadProvisioner(host);
  });

  it('deploys the function under its default name, tagged with its resource, carrying its dependencies', async () => {
    const info = await provisioner.create(request(), null);

    const fn = host.functions.get(defaultName);
    expect(fn).toMatchObject({
      owner,
      handler: 'count-1.handler',
      artifact: { bucket: 'dmp-datamesh-s3', key: 'test/sales/jobs/count-1.js' },
      environment: {
        DMP_DATA_PRODUCT: 'test/sales/orders/1.0.0',
        DMP_RESOURCE: 'count',
        DMP_DEP_RAW_ORDERS_URI: 's3://ms-datamesh-s3/orders/raw/',
        DMP_DEP_RAW_ORDERS_BUCKET: 'ms-datamesh-s3',
        DMP_DEPENDENCIES: JSON.stringify({ 'raw-orders': rawOrders.info }),
      },
    });
    expect(info).toEqual({
      functionName: defaultName,
      functionArn: fn?.arn,
      variables: [
        'DMP_DATA_PRODUCT',
        'DMP_DEPENDENCIES',
        'DMP_DEP_RAW_ORDERS_BUCKET',
        'DMP_DEP_RAW_ORDERS_URI',
        'DMP_RESOURCE',
      ],
    });
  });

  it('converges on a re-dispatch: the function is created once and stays as it was', async () => {
    const first = await provisioner.create(request(), null);
    const snapshot = structuredClone(host.functions.get(defaultName));

    const second = await provisioner.create(request({}, { attempt: 2 }), null);

    expect(second).toEqual(first);
    expect(host.calls.filter((call) => call.startsWith('create'))).toEqual([`create ${defaultName}`]);
    expect([...host.functions.keys()]).toEqual([defaultName]);
    expect(host.functions.get(defaultName)).toEqual({ ...snapshot, codeDeployments: 2 });
  });

  it('updates configuration and code in place on PUT', async () => {
    await provisioner.create(request(), null);
    const changed = {
      specific: {
        ...specific,
        artifact: 'artifacts/jobs/count-2.js',
        handler: 'count-2.handler',
        environment: { LOG_LEVEL: 'debug' },
        timeoutSeconds: 60,
        memoryMb: 256,
      },
    };

    await provisioner.update(request(changed), resource());

    expect(host.functions.get(defaultName)).toMatchObject({
      handler: 'count-2.handler',
      artifact: { key: 'artifacts/jobs/count-2.js' },
      timeoutSeconds: 60,
      memoryMb: 256,
      environment: expect.objectContaining({
        LOG_LEVEL: 'debug',
        DMP_DEP_RAW_ORDERS_URI: rawOrders.info.uri,
      }),
      codeDeployments: 2,
    });
  });

  it('names the function after its owner, lambdaName being only the readable part', () => {
    expect(defaultName).toMatch(/^dmp-wl-sales-count-[0-9a-f]{16}$/);
    expect(renamed).toMatch(/^dmp-wl-sales-orders-count-[0-9a-f]{16}$/);
  });

  it('moves to a new function name: the new function first, then the old one is deleted', async () => {
    await provisioner.create(request(), null);

    const info = await provisioner.update(
      request({ specific: { ...specific, lambdaName: 'orders-count' } }),
      resource(),
    );

    expect([...host.functions.keys()]).toEqual([renamed]);
    expect(info.functionName).toBe(renamed);
    const order = host.calls.filter((call) => /^(create|delete)/.test(call));
    expect(order).toEqual([`create ${defaultName}`, `create ${renamed}`, `delete ${defaultName}`]);
  });

  it('cannot be squatted: another data product naming the same lambdaName gets another function', async () => {
    const finance = { ...ref, domain: 'finance' };
    const squatter = new WorkloadProvisioner(host);
    host.artifacts.add('dmp-datamesh-s3/test/finance/jobs/count-1.js');
    // finance deploys first, choosing the lambdaName sales will use.
    const theirs = await squatter.create(
      request(
        { specific: { ...specific, artifact: 'test/finance/jobs/count-1.js', lambdaName: 'orders-count' } },
        { dataProduct: finance },
      ),
      null,
    );
    const ours = await provisioner.create(
      request({ specific: { ...specific, lambdaName: 'orders-count' } }),
      null,
    );
    expect(ours.functionName).toBe(renamed);
    expect(theirs.functionName).not.toBe(renamed);
    expect(host.functions.get(renamed)?.owner).toBe(owner);
  });

  it('refuses to touch a function another resource owns at its name, and leaves it as it was', async () => {
    const theirs = {
      name: renamed,
      artifact: { bucket: 'dmp-datamesh-s3', key: 'theirs.js' },
      handler: 'theirs.handler',
      environment: { THEIRS: '1' },
      owner: 'test/sales/other/1.0.0/count',
    };
    host.seed(theirs);

    await expect(
      provisioner.create(request({ specific: { ...specific, lambdaName: 'orders-count' } }), null),
    ).rejects.toMatchObject({
      name: 'Conflict',
      message: `function ${renamed} belongs to dmp resource test/sales/other/1.0.0/count, not to ${owner}: choose another function name`,
    });
    expect(host.functions.get(renamed)).toMatchObject({ ...theirs, codeDeployments: 1 });

    await provisioner.remove(request({ specific: { ...specific, lambdaName: 'orders-count' } }), null);
    expect(host.functions.has(renamed)).toBe(true);
  });

  it('refuses an artifact outside its domain and the platform prefixes, deploying nothing', async () => {
    for (const artifact of ['test/finance/jobs/count-1.js', 'jobs/count-1.js', 'test/salesx/count.js']) {
      expect(provisioner.validate(request({ specific: { ...specific, artifact } }))).toEqual([
        { path: '/resource/specific/artifact', message: expect.stringContaining('test/sales/') },
      ]);
      await expect(
        provisioner.create(request({ specific: { ...specific, artifact } }), null),
      ).rejects.toMatchObject({ name: 'ValidationError' });
    }
    expect(host.functions.size).toBe(0);
  });

  it('deletes a function deployed under its name from before names were derived, if it is its own', async () => {
    const legacy = legacyDefaultFunctionName('dmp-wl', ref, 'count');
    const old = { artifact: { bucket: 'b', key: 'k.js' }, handler: 'k.handler', environment: {} };
    host.seed({ ...old, name: legacy, owner });
    host.seed({ ...old, name: 'orders-count', owner: 'test/sales/other/1.0.0/count' });

    await provisioner.remove(request(), resource());
    await provisioner.remove(request({ specific: { ...specific, lambdaName: 'orders-count' } }), null);

    expect([...host.functions.keys()]).toEqual(['orders-count']);
  });

  it('refuses a function made outside dmp (no owner tag)', async () => {
    host.seed({
      name: defaultName,
      artifact: { bucket: 'b', key: 'k.js' },
      handler: 'k.handler',
      environment: {},
      owner: '',
    });
    await expect(provisioner.create(request(), null)).rejects.toThrow(
      /belongs to no dmp resource \(it has no dmp:owner tag\)/,
    );
  });

  it('fails without deploying anything when the dependencies sent at dispatch overflow the environment', async () => {
    const huge = { ...rawOrders, info: { uri: `s3://b/${'x'.repeat(5000)}/` } };
    await expect(
      provisioner.create(request({}, { dependencies: { 'raw-orders': huge } }), null),
    ).rejects.toThrow(/over Lambda's limit of 4096/);
    expect(host.functions.size).toBe(0);
  });

  it('deletes its function, and a second delete finds nothing to do', async () => {
    await provisioner.create(request(), null);

    await provisioner.remove(request(), resource());
    expect(host.functions.size).toBe(0);

    await provisioner.remove(request(), resource());
    expect(host.calls.filter((call) => call.startsWith('delete'))).toEqual([`delete ${defaultName}`]);
  });

  it('deletes the function of the applied version when the DELETE names another', async () => {
    await provisioner.create(request({ specific: { ...specific, lambdaName: 'orders-count' } }), null);
    expect([...host.functions.keys()]).toEqual([renamed]);

    await provisioner.remove(request(), resource({ specific: { ...specific, lambdaName: 'orders-count' } }));

    expect(host.functions.size).toBe(0);
  });
});
