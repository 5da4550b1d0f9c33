import { beforeEach, describe, expect, it } from 'vitest';
import { FunctionReaderTokens, tokenName } from '../../microservices/observability/function-reader-tokens.js';
import { ObservabilityProvisioner } from '../../microservices/observability/observability-provisioner.js';
import { endpointFunctionName } from '../../microservices/observability/observability-routes.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { DEFAULT_STORAGE_PLACEMENT } from '../../shared/storage/storage-placement.js';
import { FunctionHostDouble, RestApiGatewayDouble } from '../support/function-host-double.js';
import { TokenAdministrationDouble } from '../support/token-administration-double.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const owner = 'test/sales/orders/1.0.0/quality';
const prefix = '/test/sales/orders/1.0.0/quality';
const status = {
  artifact: 'test/sales/obs/status.js',
  handler: 'status.handler',
  lambdaName: 'orders-status',
};
const dq = {
  artifact: 'test/sales/obs/dq.js',
  handler: 'dq.handler',
  lambdaName: 'orders-dq',
  path: 'dq/completeness',
};
/** The deployed functions: derived from the owning resource, the lambdaName only their readable part. */
const fn = (lambdaName: string) => endpointFunctionName(ref, 'quality', lambdaName);
const STATUS = fn('orders-status');
const DQ = fn('orders-dq');
const USAGE = fn('orders-usage');
const placement = DEFAULT_STORAGE_PLACEMENT;

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
      new Set([
        'dmp-datamesh-s3/test/sales/obs/status.js',
        'dmp-datamesh-s3/test/sales/obs/dq.js',
        'dmp-datamesh-s3/artifacts/obs/usage.js',
      ]),
    );
    gateway = new RestApiGatewayDouble(host);
    provisioner = new ObservabilityProvisioner(host, gateway, {
      stateServiceUrl: 'http://state.test',
      readerTokens: new FunctionReaderTokens(tokens),
      placement,
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
      `dmp-observability ${prefix}/orders-status ${STATUS}`,
      `dmp-observability ${prefix}/dq/completeness ${DQ}`,
    ]);
    expect(STATUS).toMatch(/^dmp-obs-sales-orders-status-[0-9a-f]{16}$/);
    expect(host.functions.get(STATUS)).toMatchObject({
      owner,
      handler: 'status.handler',
      artifact: { bucket: 'dmp-datamesh-s3', key: 'test/sales/obs/status.js' },
      environment: {
        DMP_STATE_SERVICE_URL: 'http://state.test',
        DMP_DATA_PRODUCT: 'test/sales/orders/1.0.0',
        DMP_RESOURCE: 'quality',
        DMP_STATE_TOKEN: issuedFor(STATUS)[0]?.token,
      },
    });
    expect(host.grants.get(DQ)).toHaveLength(1);
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
        { lambdaName: 'orders-status', functionName: STATUS, path: `${prefix}/orders-status`, url: urls[0] },
        { lambdaName: 'orders-dq', functionName: DQ, path: `${prefix}/dq/completeness`, url: urls[1] },
      ],
    });
    for (const { token } of tokens.issued.values()) expect(JSON.stringify(info)).not.toContain(token);
  });

  it('creates each function before publishing its route', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    expect([...host.calls.filter((call) => call.startsWith('create')), ...gateway.calls]).toEqual([
      `create ${STATUS}`,
      `publish dmp-observability ${prefix}/orders-status -> ${STATUS}`,
    ]);
  });

  it("gives each function its own reader token for the data product's domain alone", async () => {
    await provisioner.create(request(), null);

    expect(tokens.active().map(({ name, role, domains }) => ({ name, role, domains }))).toEqual([
      { name: tokenName({ name: STATUS, owner }), role: 'reader', domains: ['sales'] },
      { name: tokenName({ name: DQ, owner }), role: 'reader', domains: ['sales'] },
    ]);
    expect(held(STATUS)).toMatch(/^dmp_[a-f0-9]{32}_/);
    expect(held(STATUS)).not.toBe(held(DQ));
  });

  it('issues no second token when the same provisioning runs again', async () => {
    await provisioner.create(request(), null);
    const first = [held(STATUS), held(DQ)];

    await provisioner.create(request(), null);
    await provisioner.update(request(), resource());

    expect(issues()).toHaveLength(2);
    expect([held(STATUS), held(DQ)]).toEqual(first);
    expect(tokens.active()).toHaveLength(2);
  });

  it('replaces a token that no longer works, and revokes every other token issued for the function', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    const revoked = held(STATUS) as string;
    await tokens.revoke(issuedFor(STATUS)[0]?.summary.id as string);
    // A token issued by an attempt that crashed before its function held it.
    const stray = await tokens.issue({
      name: tokenName({ name: STATUS, owner }),
      role: 'reader',
      domains: ['sales'],
    });

    await provisioner.update(
      request({ observabilityEndpoint: status }),
      resource({ observabilityEndpoint: status }),
    );

    const now = held(STATUS);
    expect(now).not.toBe(revoked);
    expect(now).not.toBe(stray.token);
    expect(tokens.active().map(({ id }) => id)).toEqual([issuedFor(STATUS).at(-1)?.summary.id]);
    expect(await tokens.verify(now as string)).toMatchObject({ role: 'reader', domains: ['sales'] });
  });

  it("revokes a dropped function's token on update", async () => {
    await provisioner.create(request(), null);
    const dropped = issuedFor(DQ)[0]?.summary.id;

    await provisioner.update(request({ observabilityEndpoint: status }), resource());

    expect(host.functions.has(DQ)).toBe(false);
    expect(tokens.issued.get(dropped as string)?.summary.revokedAt).not.toBeNull();
    expect(tokens.active().map(({ name }) => name)).toEqual([tokenName({ name: STATUS, owner })]);
  });

  it('converges on a re-dispatch: nothing is created twice', async () => {
    const first = await provisioner.create(request(), null);
    const second = await provisioner.create(request(), null);

    expect(second).toEqual(first);
    expect(host.calls.filter((call) => call.startsWith('create'))).toEqual([
      `create ${STATUS}`,
      `create ${DQ}`,
    ]);
    expect(gateway.routes.size).toBe(2);
    expect([...host.functions.keys()]).toEqual([STATUS, DQ]);
    expect(host.grants.get(STATUS)).toHaveLength(1);
  });

  it('converges on PUT: a dropped endpoint is unpublished and deleted, a moved one republished, a new one added', async () => {
    await provisioner.create(request(), null);
    const usage = {
      artifact: 'artifacts/obs/usage.js',
      handler: 'usage.handler',
      lambdaName: 'orders-usage',
    };

    const info = await provisioner.update(
      request({ observabilityEndpoint: [{ ...status, path: 'status' }, usage] }),
      resource(),
    );

    expect(routes()).toEqual([
      `dmp-observability ${prefix}/status ${STATUS}`,
      `dmp-observability ${prefix}/orders-usage ${USAGE}`,
    ]);
    expect([...host.functions.keys()].sort()).toEqual([STATUS, USAGE].sort());
    expect(host.grants.get(STATUS)).toHaveLength(1);
    expect(info.urls).toEqual([
      `http://gateway.test/api1/dmp${prefix}/status`,
      `http://gateway.test/api1/dmp${prefix}/orders-usage`,
    ]);
  });

  it('moves the routes when the REST API changes', async () => {
    await provisioner.create(request(), null);

    await provisioner.update(request({ restAPI: 'sales-api' }), resource());

    expect(routes()).toEqual([
      `sales-api ${prefix}/orders-status ${STATUS}`,
      `sales-api ${prefix}/dq/completeness ${DQ}`,
    ]);
  });

  it('takes a route away from its old function before giving it to a new one', async () => {
    await provisioner.create(request({ observabilityEndpoint: status }), null);
    const renamed = { ...status, lambdaName: 'orders-status-v2', path: 'orders-status' };

    await provisioner.update(
      request({ observabilityEndpoint: renamed }),
      resource({ observabilityEndpoint: status }),
    );

    const v2 = fn('orders-status-v2');
    expect(gateway.calls.slice(1)).toEqual([
      `unpublish dmp-observability ${prefix}/orders-status`,
      `publish dmp-observability ${prefix}/orders-status -> ${v2}`,
    ]);
    expect([...host.functions.keys()]).toEqual([v2]);
    expect(routes()).toEqual([`dmp-observability ${prefix}/orders-status ${v2}`]);
  });

  it('refuses a function another resource owns at its name, leaves it alone and publishes no route to it', async () => {
    const theirs = {
      name: DQ,
      artifact: { bucket: 'dmp-datamesh-s3', key: 'test/sales/obs/dq.js' },
      handler: 'theirs.handler',
      environment: {},
      owner: 'test/finance/ledger/2.0.0/quality',
    };
    host.seed(theirs);

    await expect(provisioner.create(request(), null)).rejects.toThrow(
      `function ${DQ} belongs to dmp resource test/finance/ledger/2.0.0/quality, not to test/sales/orders/1.0.0/quality`,
    );
    expect(host.functions.get(DQ)).toMatchObject({ ...theirs, codeDeployments: 1 });
    expect(routes()).toEqual([`dmp-observability ${prefix}/orders-status ${STATUS}`]);
    expect(issuedFor(DQ)).toEqual([]);

    await provisioner.remove(request(), null);
    expect([...host.functions.keys()]).toEqual([DQ]);
  });

  it('cannot be squatted: the same lambdaName in another data product is another function', async () => {
    const finance = { ...ref, domain: 'finance' };
    const theirs = endpointFunctionName(finance, 'quality', 'orders-status');
    host.artifacts.add('dmp-datamesh-s3/artifacts/obs/status.js');
    const squatter = {
      ...request({ observabilityEndpoint: { ...status, artifact: 'artifacts/obs/status.js' } }),
      dataProduct: finance,
    };
    await provisioner.create(squatter, null);

    await provisioner.create(request({ observabilityEndpoint: status }), null);

    expect(theirs).not.toBe(STATUS);
    expect(host.functions.get(STATUS)?.owner).toBe(owner);
    expect(host.functions.get(theirs)?.owner).toBe('test/finance/orders/1.0.0/quality');
  });

  it("refuses another domain's artifact, deploying nothing", async () => {
    const foreign = { ...status, artifact: 'test/finance/obs/status.js' };
    expect(provisioner.validate(request({ observabilityEndpoint: [foreign] }))).toEqual([
      {
        path: '/resource/specific/observabilityEndpoint/0/artifact',
        message: expect.stringContaining("must lie under this domain's own prefix test/sales/"),
      },
    ]);
    await expect(
      provisioner.create(request({ observabilityEndpoint: [foreign] }), null),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(host.functions.size).toBe(0);
  });

  it('deletes a function deployed under its raw lambdaName before names were derived, if it is its own', async () => {
    const old = { artifact: { bucket: 'b', key: 'k.js' }, handler: 'k.handler', environment: {} };
    host.seed({ ...old, name: 'orders-status', owner });
    host.seed({ ...old, name: 'orders-dq', owner: 'test/finance/ledger/2.0.0/quality' });

    await provisioner.remove(request(), resource());

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
      `delete ${STATUS}`,
      `delete ${DQ}`,
    ]);
  });

  it('removes what the applied version had even when the DELETE lists other endpoints', async () => {
    await provisioner.create(request(), null);

    await provisioner.remove(request({ observabilityEndpoint: status }), resource());

    expect(gateway.routes.size).toBe(0);
    expect(host.functions.size).toBe(0);
  });
});
