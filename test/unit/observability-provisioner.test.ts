import { beforeEach, describe, expect, it } from 'vitest';
import { FunctionReaderTokens, tokenName } from '../../microservices/observability/function-reader-tokens.js';
import { ObservabilityProvisioner } from '../../microservices/observability/observability-provisioner.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { FunctionHostDouble, RestApiGatewayDouble } from '../support/function-host-double.js';
import { TokenAdministrationDouble } from '../support/token-administration-double.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const owner = 'test/sales/orders/1.0.0/quality';
const prefix = '/test/sales/orders/1.0.0/quality';
const status = { artifact: 'obs/status.js', handler: 'status.handler', lambdaName: 'orders-status' };
const dq = { artifact: 'obs/dq.js', handler: 'dq.handler', lambdaName: 'orders-dq', path: 'dq/completeness' };

function resource(specific: Record<string, unknown> = {}): ResourceDescriptor {
  return {
    kind: 'observability',
    name: 'quality',
    type: 'metrics',
    technology: 'aws-lambda',
    allow: [],
    dependsOn: [],
    specific: {
      restAPI: 'dmp-observability',
      bucket: 'dmp-datamesh-s3',
      observabilityEndpoint: [status, dq],
      ...specific,
    },
  };
}

function request(specific: Record<string, unknown> = {}): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: resource(specific),
    removeData: false,
    attempt: 1,
  };
}

describe('ObservabilityProvisioner', () => {
  let host: FunctionHostDouble;
  let gateway: RestApiGatewayDouble;
  let provisioner: ObservabilityProvisioner;
  let tokens: TokenAdministrationDouble;

  beforeEach(() => {
    tokens = new TokenAdministrationDouble();
    host = new FunctionHostDouble(
      new Set(['dmp-datamesh-s3/obs/status.js', 'dmp-datamesh-s3/obs/dq.js', 'dmp-datamesh-s3/obs/usage.js']),
    );
    gateway = new RestApiGatewayDouble(host);
    provisioner = new ObservabilityProvisioner(host, gateway, {
      stateServiceUrl: 'http://state.test',
      readerTokens: new FunctionReaderTokens(tokens),
    });
  });

  /** The token a function holds, and what the state service knows of it. */
  const held = (name: string) => host.functions.get(name)?.environment.DMP_STATE_TOKEN;
  const issuedFor = (name: string) =>
    [...tokens.issued.values()].filter(({ summary }) => summary.name === tokenName({ name, owner }));
  const issues = () => tokens.calls.filter((call) => call.startsWith('issue'));

  const routes = () =>
    [...gateway.routes.values()].map(
      ({ restApi, path, functionName }) => `${restApi} ${path} ${functionName}`,
    );

  it('deploys one function per endpoint behind a GET route under the data product, and lists the URLs', async () => {
    const info = await provisioner.create(request(), null);

    expect(routes()).toEqual([
      `dmp-observability ${prefix}/orders-status orders-status`,
      `dmp-observability ${prefix}/dq/completeness orders-dq`,
    ]);
    expect(host.functions.get('orders-status')).toMatchObject({
      owner,
      handler: 'status.handler',
      artifact: { bucket: 'dmp-datamesh-s3', key: 'obs/status.js' },
      environment: {
        DMP_STATE_SERVICE_URL: 'http://state.test',
        DMP_DATA_PRODUCT: 'test/sales/orders/1.0.0',
        DMP_RESOURCE: 'quality',
        DMP_STATE_TOKEN: issuedFor('orders-status')[0]?.token,
      },
    });
    expect(host.grants.get('orders-dq')).toHaveLength(1);
    const urls = [
      `http://gateway.test/api1/dmp${prefix}/orders-status`,
      `http://gateway.test/api1/dmp${prefix}/dq/completeness`,
    ];
    expect(info).toEqual({
      restApi: 'dmp-observability',
      restApiId: 'api1',
      url: urls[0],
      urls,
      endpoints: [
        { lambdaName: 'orders-status', path: `${prefix}/orders-status`, url: urls[0] },
        { lambdaName: 'orders-dq', path: `${prefix}/dq/completeness`, url: urls[1] },
      ],
    });
    for (const { token } of tokens.issued.values()) expect(JSON.stringify(info)).not.toContain(token);
  });

  it('creates each function before publishing its route', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    expect([...host.calls.filter((call) => call.startsWith('create')), ...gateway.calls]).toEqual([
      'create orders-status',
      `publish dmp-observability ${prefix}/orders-status -> orders-status`,
    ]);
  });

  it("gives each function its own reader token for the data product's domain alone", async () => {
    await provisioner.create(request(), null);

    expect(tokens.active().map(({ name, role, domains }) => ({ name, role, domains }))).toEqual([
      { name: tokenName({ name: 'orders-status', owner }), role: 'reader', domains: ['sales'] },
      { name: tokenName({ name: 'orders-dq', owner }), role: 'reader', domains: ['sales'] },
    ]);
    expect(held('orders-status')).toMatch(/^dmp_[a-f0-9]{32}_/);
    expect(held('orders-status')).not.toBe(held('orders-dq'));
  });

  it('issues no second token when the same provisioning runs again', async () => {
    await provisioner.create(request(), null);
    const first = [held('orders-status'), held('orders-dq')];

    await provisioner.create(request(), null);
    await provisioner.update(request(), resource());

    expect(issues()).toHaveLength(2);
    expect([held('orders-status'), held('orders-dq')]).toEqual(first);
    expect(tokens.active()).toHaveLength(2);
  });

  it('replaces a token that no longer works, and revokes every other token issued for the function', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    const revoked = held('orders-status') as string;
    await tokens.revoke(issuedFor('orders-status')[0]?.summary.id as string);
    // A token issued by an attempt that crashed before its function held it.
    const stray = await tokens.issue({
      name: tokenName({ name: 'orders-status', owner }),
      role: 'reader',
      domains: ['sales'],
    });

    await provisioner.update(
      request({ observabilityEndpoint: status }),
      resource({ observabilityEndpoint: status }),
    );

    const now = held('orders-status');
    expect(now).not.toBe(revoked);
    expect(now).not.toBe(stray.token);
    expect(tokens.active().map(({ id }) => id)).toEqual([issuedFor('orders-status').at(-1)?.summary.id]);
    expect(await tokens.verify(now as string)).toMatchObject({ role: 'reader', domains: ['sales'] });
  });

  it("revokes a dropped function's token on update", async () => {
    await provisioner.create(request(), null);
    const dropped = issuedFor('orders-dq')[0]?.summary.id;

    await provisioner.update(request({ observabilityEndpoint: status }), resource());

    expect(host.functions.has('orders-dq')).toBe(false);
    expect(tokens.issued.get(dropped as string)?.summary.revokedAt).not.toBeNull();
    expect(tokens.active().map(({ name }) => name)).toEqual([tokenName({ name: 'orders-status', owner })]);
  });

  it('converges on a re-dispatch: nothing is created twice', async () => {
    const first = await provisioner.create(request(), null);
    const second = await provisioner.create(request(), null);

    expect(second).toEqual(first);
    expect(host.calls.filter((call) => call.startsWith('create'))).toEqual([
      'create orders-status',
      'create orders-dq',
    ]);
    expect(gateway.routes.size).toBe(2);
    expect([...host.functions.keys()]).toEqual(['orders-status', 'orders-dq']);
    expect(host.grants.get('orders-status')).toHaveLength(1);
  });

  it('converges on PUT: a dropped endpoint is unpublished and deleted, a moved one republished, a new one added', async () => {
    await provisioner.create(request(), null);
    const usage = { artifact: 'obs/usage.js', handler: 'usage.handler', lambdaName: 'orders-usage' };

    const info = await provisioner.update(
      request({ observabilityEndpoint: [{ ...status, path: 'status' }, usage] }),
      resource(),
    );

    expect(routes()).toEqual([
      `dmp-observability ${prefix}/status orders-status`,
      `dmp-observability ${prefix}/orders-usage orders-usage`,
    ]);
    expect([...host.functions.keys()].sort()).toEqual(['orders-status', 'orders-usage']);
    expect(host.grants.get('orders-status')).toHaveLength(1);
    expect(info.urls).toEqual([
      `http://gateway.test/api1/dmp${prefix}/status`,
      `http://gateway.test/api1/dmp${prefix}/orders-usage`,
    ]);
  });

  it('moves the routes when the REST API changes', async () => {
    await provisioner.create(request(), null);

    await provisioner.update(request({ restAPI: 'sales-api' }), resource());

    expect(routes()).toEqual([
      `sales-api ${prefix}/orders-status orders-status`,
      `sales-api ${prefix}/dq/completeness orders-dq`,
    ]);
  });

  it('takes a route away from its old function before giving it to a new one', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    const renamed = { ...status, lambdaName: 'orders-status-v2', path: 'orders-status' };

    await provisioner.update(
      request({ observabilityEndpoint: renamed }),
      resource({ observabilityEndpoint: status }),
    );

    expect(gateway.calls.slice(1)).toEqual([
      `unpublish dmp-observability ${prefix}/orders-status`,
      `publish dmp-observability ${prefix}/orders-status -> orders-status-v2`,
    ]);
    expect([...host.functions.keys()]).toEqual(['orders-status-v2']);
    expect(routes()).toEqual([`dmp-observability ${prefix}/orders-status orders-status-v2`]);
  });

  it('refuses a function another resource owns, leaves it alone and publishes no route to it', async () => {
    const theirs = {
      name: 'orders-dq',
      artifact: { bucket: 'dmp-datamesh-s3', key: 'obs/dq.js' },
      handler: 'theirs.handler',
      environment: {},
      owner: 'test/finance/ledger/2.0.0/quality',
    };
    host.seed(theirs);

    await expect(provisioner.create(request(), null)).rejects.toThrow(
      /function orders-dq belongs to dmp resource test\/finance\/ledger\/2.0.0\/quality, not to test\/sales\/orders\/1.0.0\/quality/,
    );
    expect(host.functions.get('orders-dq')).toMatchObject({ ...theirs, codeDeployments: 1 });
    expect(routes()).toEqual([`dmp-observability ${prefix}/orders-status orders-status`]);
    expect(issuedFor('orders-dq')).toEqual([]);

    await provisioner.remove(request(), null);
    expect([...host.functions.keys()]).toEqual(['orders-dq']);
    expect(host.functions.get('orders-dq')?.environment).toEqual({});
  });

  it('deletes every route, permission and function, and a second delete changes nothing', async () => {
    await provisioner.create(request(), null);

    await provisioner.remove(request(), resource());
    expect(gateway.routes.size).toBe(0);
    expect(host.functions.size).toBe(0);
    expect([...host.grants.values()].flat()).toEqual([]);
    expect(tokens.issued.size).toBe(2);
    expect(tokens.active()).toEqual([]);

    await provisioner.remove(request(), resource());
    expect(host.calls.filter((call) => call.startsWith('delete'))).toEqual([
      'delete orders-status',
      'delete orders-dq',
    ]);
  });

  it('removes what the applied version had even when the DELETE lists other endpoints', async () => {
    await provisioner.create(request(), null);

    await provisioner.remove(request({ observabilityEndpoint: status }), resource());

    expect(gateway.routes.size).toBe(0);
    expect(host.functions.size).toBe(0);
  });
});
