import { describe, expect, it } from 'vitest';
import { FunctionReaderTokens } from '../../microservices/observability/function-reader-tokens.js';
import { ObservabilityProvisioner } from '../../microservices/observability/observability-provisioner.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { DEFAULT_STORAGE_PLACEMENT } from '../../shared/storage/storage-placement.js';
import { FunctionHostDouble, RestApiGatewayDouble } from '../support/function-host-double.js';
import { TokenAdministrationDouble } from '../support/token-administration-double.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const endpoint = {
  artifact: 'test/sales/obs/status.js',
  handler: 'status.handler',
  lambdaName: 'orders-status',
};
const validSpecific = {
  restAPI: 'dmp-observability',
  bucket: 'dmp-datamesh-s3',
  observabilityEndpoint: [endpoint],
};

function request(resource: Partial<ResourceDescriptor> = {}): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: {
      kind: 'observability',
      name: 'quality',
      type: 'metrics',
      technology: 'aws-lambda',
      allow: [],
      dependsOn: [],
      specific: validSpecific,
      ...resource,
    },
    removeData: false,
    attempt: 1,
  };
}

const host = new FunctionHostDouble();
const provisioner = new ObservabilityProvisioner(host, new RestApiGatewayDouble(host), {
  stateServiceUrl: 'http://127.0.0.1:8081',
  readerTokens: new FunctionReaderTokens(new TokenAdministrationDouble()),
  placement: DEFAULT_STORAGE_PLACEMENT,
});
const withSpecific = (specific: Record<string, unknown>) =>
  request({ specific: { ...validSpecific, ...specific } });
const withEndpoint = (fields: Record<string, unknown>) =>
  withSpecific({ observabilityEndpoint: [{ ...endpoint, ...fields }] });
const ENDPOINT = '/resource/specific/observabilityEndpoint';

describe('ObservabilityProvisioner.validate', () => {
  it('accepts a list of endpoints, a single endpoint object, and explicit paths', () => {
    expect(provisioner.validate(request())).toEqual([]);
    expect(provisioner.validate(withSpecific({ observabilityEndpoint: endpoint }))).toEqual([]);
    expect(provisioner.validate(withEndpoint({ artifact: 'artifacts/dmp-observability/index.zip' }))).toEqual(
      [],
    );
    expect(
      provisioner.validate(
        withSpecific({
          observabilityEndpoint: [
            { ...endpoint, path: 'status' },
            { ...endpoint, lambdaName: 'orders-dq', path: '/dq/completeness/' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['a missing REST API', { restAPI: undefined }, '/resource/specific/restAPI', /required/],
    [
      'a REST API name with a slash',
      { restAPI: 'a/b' },
      '/resource/specific/restAPI',
      /^"a\/b" is not the REST API name/,
    ],
    ['a missing bucket', { bucket: undefined }, '/resource/specific/bucket', /required/],
    ['a bucket S3 refuses', { bucket: 'UPPER' }, '/resource/specific/bucket', /not a valid S3 bucket/],
    ['no endpoints', { observabilityEndpoint: [] }, ENDPOINT, /non-empty list/],
    ['a missing endpoint list', { observabilityEndpoint: undefined }, ENDPOINT, /required/],
    [
      'an endpoint that is not an object',
      { observabilityEndpoint: ['status.js'] },
      `${ENDPOINT}/0`,
      /must be an object/,
    ],
    [
      'too many endpoints',
      { observabilityEndpoint: Array.from({ length: 21 }, (_, i) => ({ ...endpoint, lambdaName: `f${i}` })) },
      ENDPOINT,
      /at most 20/,
    ],
    ['an unknown key', { restApi: 'x' }, '/resource/specific/restApi', /unknown key/],
  ])('refuses %s', (_case, specific, path, message) => {
    expect(provisioner.validate(withSpecific(specific))).toEqual([
      { path, message: expect.stringMatching(message) },
    ]);
  });

  it.each([
    ['a missing artifact', { artifact: undefined }, 'artifact', /required/],
    ['an artifact with ".."', { artifact: '../status.js' }, 'artifact', /"\.\."/],
    [
      'a jar (the thesis packaged Scala jars)',
      { artifact: 'test/sales/status.jar' },
      'artifact',
      /\.zip, \.js/,
    ],
    [
      "another domain's artifact",
      { artifact: 'test/finance/obs/status.js' },
      'artifact',
      /must lie under this domain's own prefix test\/sales\/ or under a platform prefix \(artifacts\/\)/,
    ],
    ['an artifact outside any domain', { artifact: 'obs/status.js' }, 'artifact', /test\/sales\//],
    ['a missing handler', { handler: undefined }, 'handler', /required/],
    ['a handler without export', { handler: 'status' }, 'handler', /not a handler/],
    ['a missing lambdaName', { lambdaName: undefined }, 'lambdaName', /required/],
    [
      'a lambdaName Lambda refuses',
      { lambdaName: 'orders.status' },
      'lambdaName',
      /not a valid function name/,
    ],
    ['a path variable', { path: 'dq/{metric}' }, 'path', /not allowed/],
    ['a ".." path part', { path: 'dq/../x' }, 'path', /not allowed/],
    ['an empty path part', { path: 'dq//x' }, 'path', /not allowed/],
    ['an empty path', { path: '/' }, 'path', /must be path parts/],
    ['a path of nine parts', { path: 'a/b/c/d/e/f/g/h/i' }, 'path', /at most 8/],
    ['a path that is not a string', { path: ['dq'] }, 'path', /must be a string/],
    ['an unknown endpoint key', { runtime: 'java11' }, 'runtime', /unknown key/],
  ])('refuses an endpoint with %s', (_case, fields, field, message) => {
    expect(provisioner.validate(withEndpoint(fields))).toEqual([
      { path: `${ENDPOINT}/0/${field}`, message: expect.stringMatching(message) },
    ]);
  });

  it('points into a single endpoint object without an index', () => {
    expect(
      provisioner.validate(withSpecific({ observabilityEndpoint: { ...endpoint, handler: 'x' } })),
    ).toEqual([{ path: `${ENDPOINT}/handler`, message: expect.stringMatching(/not a handler/) }]);
  });

  it('refuses a function listed twice and routes that overlap', () => {
    const issues = provisioner.validate(
      withSpecific({
        observabilityEndpoint: [
          { ...endpoint, path: 'dq' },
          { ...endpoint, path: 'status' },
          { ...endpoint, lambdaName: 'orders-dq', path: 'dq/completeness' },
        ],
      }),
    );
    expect(issues).toEqual([
      { path: `${ENDPOINT}/1/lambdaName`, message: 'orders-status is listed more than once' },
      {
        path: `${ENDPOINT}/2/path`,
        message: expect.stringMatching(/route dq\/completeness overlaps the route dq of orders-status/),
      },
    ]);
  });

  it('refuses owner, allow and another kind, with every problem at once', () => {
    const issues = provisioner.validate(
      request({
        kind: 'workload',
        owner: 'role',
        allow: ['reader'],
        specific: {
          bucket: 'dmp-datamesh-s3',
          observabilityEndpoint: [{ ...endpoint, handler: 'x' }, { lambdaName: '' }],
        },
      }),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      '/resource/kind',
      '/resource/owner',
      '/resource/allow',
      '/resource/specific/restAPI',
      `${ENDPOINT}/0/handler`,
      `${ENDPOINT}/1/artifact`,
      `${ENDPOINT}/1/handler`,
      `${ENDPOINT}/1/lambdaName`,
    ]);
  });
});
