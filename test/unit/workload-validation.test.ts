import { describe, expect, it } from 'vitest';
import { WorkloadProvisioner } from '../../microservices/workload/workload-provisioner.js';
import type { ResourceDescriptor } from '../../shared/descriptor/types.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { FunctionHostDouble } from '../support/function-host-double.js';

const ref = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };
const validSpecific = {
  bucket: 'dmp-datamesh-s3',
  artifact: 'test/sales/jobs/count.js',
  handler: 'count.handler',
};

function request(resource: Partial<ResourceDescriptor> = {}): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct: ref,
    descriptor: {} as ResourceRequest['descriptor'],
    resource: {
      kind: 'workload',
      name: 'count',
      type: 'job',
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

const provisioner = new WorkloadProvisioner(new FunctionHostDouble());
const withSpecific = (specific: Record<string, unknown>) =>
  request({ specific: { ...validSpecific, ...specific } });

describe('WorkloadProvisioner.validate', () => {
  it('accepts a minimal workload and one with every field', () => {
    expect(provisioner.validate(request())).toEqual([]);
    expect(
      provisioner.validate(
        withSpecific({
          lambdaName: 'orders-count',
          environment: { LOG_LEVEL: 'debug', region_hint: 'eu' },
          timeoutSeconds: 900,
          memoryMb: 128,
        }),
      ),
    ).toEqual([]);
    expect(provisioner.validate(withSpecific({ artifact: 'artifacts/dmp-examples/count.js' }))).toEqual([]);
  });

  it.each([
    ['a missing bucket', { bucket: undefined }, '/resource/specific/bucket', /required/],
    [
      'a bucket name S3 refuses',
      { bucket: 'Bad_Bucket' },
      '/resource/specific/bucket',
      /not a valid S3 bucket/,
    ],
    ['a missing artifact', { artifact: undefined }, '/resource/specific/artifact', /required/],
    [
      'an artifact escaping the bucket',
      { artifact: 'test/sales/../x.js' },
      '/resource/specific/artifact',
      /"\.\."/,
    ],
    [
      "another domain's artifact",
      { artifact: 'test/finance/jobs/count.js' },
      '/resource/specific/artifact',
      /must lie under this domain's own prefix test\/sales\/ or under a platform prefix \(artifacts\/\)/,
    ],
    [
      'an artifact outside any domain',
      { artifact: 'jobs/count.js' },
      '/resource/specific/artifact',
      /test\/sales\//,
    ],
    [
      'an artifact the host cannot run',
      { artifact: 'test/sales/count.jar' },
      '/resource/specific/artifact',
      /\.zip, \.js/,
    ],
    ['a missing handler', { handler: undefined }, '/resource/specific/handler', /required/],
    ['a handler without export', { handler: 'count' }, '/resource/specific/handler', /not a handler/],
    [
      'a function name Lambda refuses',
      { lambdaName: 'has space' },
      '/resource/specific/lambdaName',
      /not a valid function name/,
    ],
    ['a timeout over 15 minutes', { timeoutSeconds: 901 }, '/resource/specific/timeoutSeconds', /1 to 900/],
    ['a fractional timeout', { timeoutSeconds: 1.5 }, '/resource/specific/timeoutSeconds', /integer/],
    ['memory under 128 MB', { memoryMb: 64 }, '/resource/specific/memoryMb', /128 to 10240/],
    ['environment as a list', { environment: ['A=1'] }, '/resource/specific/environment', /map/],
    [
      'a variable name Lambda refuses',
      { environment: { '1ABC': 'x' } },
      '/resource/specific/environment/1ABC',
      /not a variable name/,
    ],
    [
      'a variable reserved by dmp',
      { environment: { DMP_RESOURCE: 'x' } },
      '/resource/specific/environment/DMP_RESOURCE',
      /reserved/,
    ],
    [
      'a variable reserved by Lambda',
      { environment: { aws_region: 'x' } },
      '/resource/specific/environment/aws_region',
      /reserved/,
    ],
    [
      'a number as value',
      { environment: { RETRIES: 3 } },
      '/resource/specific/environment/RETRIES',
      /must be a string/,
    ],
    ['an unknown key', { runtime: 'nodejs20.x' }, '/resource/specific/runtime', /unknown key/],
  ])('refuses %s', (_case, specific, path, message) => {
    const issues = provisioner.validate(withSpecific(specific));
    expect(issues).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('escapes "/" and "~" in variable names as JSON pointers do', () => {
    const issues = provisioner.validate(withSpecific({ environment: { 'a/b~c': 'x' } }));
    expect(issues.map((issue) => issue.path)).toEqual(['/resource/specific/environment/a~1b~0c']);
  });

  it('refuses a resource of another kind', () => {
    expect(provisioner.validate(request({ kind: 'outputPort' }))).toEqual([
      { path: '/resource/kind', message: expect.stringMatching(/workloads, not outputPort/) },
    ]);
  });

  it('reports every problem at once', () => {
    const issues = provisioner.validate(
      request({ kind: 'observability', specific: { artifact: 'x.jar', handler: 'nope', memoryMb: 1 } }),
    );
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      '/resource/kind',
      '/resource/specific/artifact',
      '/resource/specific/bucket',
      '/resource/specific/handler',
      '/resource/specific/memoryMb',
    ]);
  });

  it('refuses two dependencies that would write the same variables', () => {
    const issues = provisioner.validate(request({ dependsOn: ['raw-orders', 'raw_orders'] }));
    expect(issues).toEqual([
      { path: '/resource/dependsOn/1', message: expect.stringMatching(/DMP_DEP_RAW_ORDERS_/) },
    ]);
  });

  it('refuses, before anything is deployed, an environment over the 4 KB limit', () => {
    const issues = provisioner.validate(
      withSpecific({ environment: { BIG: 'x'.repeat(4096 - 'BIG'.length) } }),
    );
    expect(issues).toEqual([
      {
        path: '/resource/specific/environment',
        message: expect.stringMatching(/over Lambda's limit of 4096/),
      },
    ]);
  });
});
