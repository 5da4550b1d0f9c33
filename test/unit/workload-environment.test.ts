import { describe, expect, it } from 'vitest';
import { environmentBytes } from '../../microservices/lambda-runtime/lambda-naming.js';
import {
  dependencyVariableName,
  workloadEnvironment,
} from '../../microservices/workload/workload-environment.js';

const dataProduct = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const rawOrders = {
  kind: 'outputPort' as const,
  technology: 's3',
  info: {
    uri: 's3://ms-datamesh-s3/orders/raw/',
    uris: ['s3://ms-datamesh-s3/orders/raw/'],
    bucket: 'ms-datamesh-s3',
    directories: ['orders/raw'],
  },
};

describe('workloadEnvironment', () => {
  it("gives each scalar of a dependency's info its own variable and the whole info as JSON", () => {
    const { environment, issues } = workloadEnvironment({
      dataProduct,
      resourceName: 'count',
      dependsOn: ['raw-orders'],
      dependencies: { 'raw-orders': rawOrders },
      user: { LOG_LEVEL: 'debug' },
    });
    expect(issues).toEqual([]);
    expect(environment).toEqual({
      LOG_LEVEL: 'debug',
      DMP_DATA_PRODUCT: 'test/sales/orders/1.0.0',
      DMP_RESOURCE: 'count',
      DMP_DEP_RAW_ORDERS_URI: 's3://ms-datamesh-s3/orders/raw/',
      DMP_DEP_RAW_ORDERS_BUCKET: 'ms-datamesh-s3',
      DMP_DEPENDENCIES: JSON.stringify({ 'raw-orders': rawOrders.info }),
    });
  });

  it('names variables after the resource and the info key, camelCase split at capitals', () => {
    expect(dependencyVariableName('events.v2', 'restApiId')).toBe('DMP_DEP_EVENTS_V2_REST_API_ID');
    expect(dependencyVariableName('raw_orders', 'tableName')).toBe('DMP_DEP_RAW_ORDERS_TABLE_NAME');
  });

  it('treats a dependency the provisioner sent no info for as empty', () => {
    const { environment, issues } = workloadEnvironment({
      dataProduct,
      resourceName: 'count',
      dependsOn: ['raw-orders'],
      dependencies: undefined,
      user: {},
    });
    expect(issues).toEqual([]);
    expect(environment.DMP_DEPENDENCIES).toBe('{"raw-orders":{}}');
    expect(Object.keys(environment).filter((name) => name.startsWith('DMP_DEP_'))).toEqual([]);
  });

  it('has no DMP_DEPENDENCIES without dependencies', () => {
    const { environment } = workloadEnvironment({
      dataProduct,
      resourceName: 'count',
      dependsOn: [],
      dependencies: {},
      user: {},
    });
    expect(environment).toEqual({ DMP_DATA_PRODUCT: 'test/sales/orders/1.0.0', DMP_RESOURCE: 'count' });
  });

  it('refuses two info keys that would become the same variable', () => {
    const { issues } = workloadEnvironment({
      dataProduct,
      resourceName: 'count',
      dependsOn: ['a', 'a_b'],
      dependencies: {
        a: { kind: 'outputPort', technology: 's3', info: { b_uri: 'one' } },
        a_b: { kind: 'outputPort', technology: 's3', info: { uri: 'two' } },
      },
      user: {},
    });
    expect(issues).toEqual([
      {
        path: '/dependencies/a_b/info/uri',
        message: expect.stringMatching(/a_b\.uri and a\.b_uri would both be DMP_DEP_A_B_URI/),
      },
    ]);
  });

  it("stops at Lambda's 4 KB, counting names and values, and says where the bytes went", () => {
    const big = {
      kind: 'outputPort' as const,
      technology: 's3',
      info: { uri: `s3://b/${'x'.repeat(1900)}/` },
    };
    const input = { dataProduct, resourceName: 'count', dependsOn: ['big'], dependencies: { big }, user: {} };
    const fits = workloadEnvironment(input);
    expect(fits.issues).toEqual([]);
    expect(environmentBytes(fits.environment)).toBeLessThanOrEqual(4096);

    const over = workloadEnvironment({ ...input, user: { EXTRA: 'y'.repeat(300) } });
    expect(environmentBytes(over.environment)).toBeGreaterThan(4096);
    expect(over.issues).toEqual([
      {
        path: '/resource/specific/environment',
        message: expect.stringMatching(
          /would take \d+ bytes, over Lambda's limit of 4096 \(your variables: 305, dependencies' info: \d+\)/,
        ),
      },
    ]);
  });
});
