import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDescriptor } from '../../cli/descriptor/read-descriptor.js';
import { validateOffline } from '../../cli/descriptor/validate-offline.js';
import { uploadDefaultArtifacts } from '../../microservices/lambda-runtime/default-artifacts.js';
import {
  LAMBDA_HANDLER,
  LAMBDA_SERVICES,
  type LambdaPackage,
  packageLambdas,
} from '../../scripts/package-lambda.js';
import { DEFAULT_TOKEN_TABLE } from '../../shared/auth/dynamo-token-store.js';
import { type DataProductDescriptor, type DataProductRef, refOf } from '../../shared/descriptor/types.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { ResourceJobEvent } from '../../shared/microservice/lambda-handler.js';
import { StateClient } from '../../shared/state/state-client.js';
import { startStateService } from '../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from '../support/auth.js';
import { type FunctionProcess, startFunctionProcess } from '../support/lambda-function-process.js';
import { type InvokeRecorder, startInvokeRecorder } from '../support/lambda-invoke-recorder.js';
import { removeDir, startTestStack, TEST_BUCKETS, type TestStack } from '../support/local-stack.js';
import { plainEnv } from '../support/node-process.js';
import { silentLogger } from '../support/silent-logger.js';

/**
 * Each zip of `npm run package:lambda`, unpacked into an empty folder with no
 * node_modules above it, loaded by a fresh Node process as the Lambda runtime
 * loads it, and driven with API Gateway proxy events against the local stack
 * and a real state service. Lambda's Invoke API is a recorder: the test hands
 * each asynchronous self-invocation back to the function, as Lambda would.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const temporary: string[] = [];
let stack: TestStack;
let tokens: TestTokens;
let stateService: RunningServer;
let state: StateClient;
let recorder: InvokeRecorder;
let packages: Map<string, LambdaPackage>;
let functionsDir: string;
const running: FunctionProcess[] = [];

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

function descriptorOf(file: string): DataProductDescriptor {
  return validateOffline(readDescriptor(file, root));
}

beforeAll(async () => {
  stack = await startTestStack();
  tokens = await issueTestTokens(stack);
  stateService = await startStateService(
    {
      host: '127.0.0.1',
      port: 0,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tables: DEFAULT_STATE_TABLES,
      createTables: true,
      tokenTable: DEFAULT_TOKEN_TABLE,
      auth: { tokenCacheMs: 0 },
    },
    silentLogger,
  );
  state = new StateClient(stateService.url, { token: tokens.provisioner, attempts: 1 });
  for (const bucket of TEST_BUCKETS) await uploadDefaultArtifacts(stack.s3, bucket);
  recorder = await startInvokeRecorder();
  const built = await packageLambdas(temporaryDir('dmp-lambda-zips-'));
  packages = new Map(built.map((lambda) => [lambda.service, lambda]));
  functionsDir = temporaryDir('dmp-lambda-functions-');
}, 180_000);

afterAll(async () => {
  for (const process of running) await process.stop();
  await recorder?.close();
  await stateService?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
  for (const dir of temporary) removeDir(dir);
});

/** Every folder from `dir` up to `/` that holds a node_modules a module loaded from `dir` could resolve into. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, 'node_modules'))) found.push(current);
    if (dirname(current) === current) return found;
  }
}

/** Each function's own credential, bound to the technology it serves. */
const serviceTokens = (tokens: TestTokens): Record<string, string> => ({
  s3: tokens.s3Service,
  'event-store': tokens.eventStoreService,
  observability: tokens.observabilityService,
  workload: tokens.workloadService,
});

/** The package unzipped into its own empty folder, and its handler started with the function's environment. */
async function startFunction(service: string, env: Record<string, string> = {}): Promise<FunctionProcess> {
  const lambda = packages.get(service) as LambdaPackage;
  const codeDir = join(functionsDir, service);
  mkdirSync(codeDir);
  for (const [name, bytes] of Object.entries(unzipSync(new Uint8Array(readFileSync(lambda.file))))) {
    writeFileSync(join(codeDir, name), bytes);
  }
  const started = await startFunctionProcess(
    codeDir,
    lambda.handler,
    plainEnv({
      AWS_LAMBDA_FUNCTION_NAME: `dmp-${service}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'lambda-test',
      AWS_SECRET_ACCESS_KEY: 'lambda-test',
      AWS_ENDPOINT_URL_LAMBDA: recorder.url,
      AWS_ENDPOINT_URL_API_GATEWAY: recorder.url,
      LAMBDA_TASK_ROOT: codeDir,
      DMP_STATE_SERVICE_URL: stateService.url,
      DMP_SERVICE_TOKEN: serviceTokens(tokens)[service] ?? '',
      DMP_DYNAMODB_ENDPOINT: stack.dynamoDbEndpoint,
      DMP_S3_ENDPOINT: stack.s3Endpoint,
      DMP_LOG_LEVEL: 'silent',
      ...env,
    }),
    temporaryDir('dmp-lambda-driver-'),
  );
  running.push(started);
  return started;
}

/** An API Gateway REST API proxy-integration event, as the API's `{proxy+}` resource delivers it. */
function proxyEvent(httpMethod: string, path: string, body: unknown, token = tokens.provisioner) {
  return {
    resource: '/{proxy+}',
    path,
    httpMethod,
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Host: 'api.example.com',
    },
    multiValueHeaders: { Authorization: [`Bearer ${token}`], 'Content-Type': ['application/json'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      resourcePath: '/{proxy+}',
      httpMethod,
      path: `/v1${path}`,
      stage: 'v1',
      requestId: 'r-1',
    },
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

async function call(fn: FunctionProcess, event: unknown): Promise<{ statusCode: number; body: unknown }> {
  const result = (await fn.invoke(event)) as { statusCode: number; body: string };
  return { statusCode: result.statusCode, body: JSON.parse(result.body) };
}

describe('npm run package:lambda', () => {
  it('writes one zip per microservice, under 5 MB, each with the bundled handler and its source map', () => {
    expect([...packages.keys()]).toEqual([...LAMBDA_SERVICES]);
    for (const lambda of packages.values()) {
      expect(lambda.handler).toBe(LAMBDA_HANDLER);
      expect(lambda.bytes, lambda.service).toBeLessThan(5 * 1024 * 1024);
      const files = unzipSync(new Uint8Array(readFileSync(lambda.file)));
      expect(Object.keys(files).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    }
    expect(nodeModulesAbove(functionsDir)).toEqual([]);
  });

  it('S3: a POST of a resource answers 202, and the self-invocation Lambda delivers takes it to CREATED', async () => {
    const fn = await startFunction('s3');
    const descriptor = descriptorOf('test/fixtures/thesis-example.yaml');
    const ref: DataProductRef = refOf(descriptor);
    const resource = descriptor.outputPorts[0] as DataProductDescriptor['outputPorts'][number];
    await state.writeDataProduct({
      ...ref,
      state: 'CREATING',
      operationId: 'op-lambda',
      // The state service lets a microservice write only resources the stored descriptor declares.
      descriptor,
      operation: {
        kind: 'deploy',
        removeData: false,
        startedAt: new Date().toISOString(),
        steps: [{ name: resource.name, action: 'create', method: 'POST', waitsFor: [] }],
      },
    });
    const request = {
      operationId: 'op-lambda',
      dataProduct: ref,
      descriptor,
      resource,
      removeData: false,
      attempt: 1,
    };

    const accepted = await call(fn, proxyEvent('POST', '/v1/dataproduct/resource', request));

    expect(accepted).toEqual({
      statusCode: 202,
      body: { operationId: 'op-lambda', resource: resource.name, state: 'CREATING' },
    });
    const invocation = await recorder.next();
    expect(invocation).toMatchObject({ functionName: 'dmp-s3', invocationType: 'Event' });
    expect((invocation.payload as ResourceJobEvent).dmpResourceJob).toMatchObject({ method: 'POST' });
    expect(await fn.invoke(invocation.payload)).toBeNull();
    expect((await state.getResource(ref, resource.name))?.state).toBe('CREATED');
    const folder = await stack.s3.send(
      new HeadObjectCommand({ Bucket: 'ms-datamesh-s3', Key: 'test/test_domain/test_dir/full/' }),
    );
    expect(folder.ContentLength).toBe(0);
    expect(recorder.unexpected).toEqual([]);
  }, 60_000);

  it.each([
    ['event-store', (d: DataProductDescriptor) => d.outputPorts[1], {}],
    [
      'observability',
      (d: DataProductDescriptor) => d.observability[0],
      { DMP_LAMBDA_MODE: 'aws', DMP_LAMBDA_ROLE_ARN: 'arn:aws:iam::123456789012:role/dmp-functions' },
    ],
    [
      'workload',
      // On AWS Lambda a workload's code is a .zip (the local runtime also runs a single script).
      (d: DataProductDescriptor) => {
        const workload = d.workloads[0] as DataProductDescriptor['workloads'][number];
        return { ...workload, specific: { ...workload.specific, artifact: 'artifacts/orders/counter.zip' } };
      },
      { DMP_LAMBDA_MODE: 'aws', DMP_LAMBDA_ROLE_ARN: 'arn:aws:iam::123456789012:role/dmp-functions' },
    ],
  ] as const)(
    '%s: loads alone and checks resources of its technology',
    async (service, pick, env) => {
      const fn = await startFunction(service, env);
      const descriptor = descriptorOf('examples/data-products/orders.yaml');
      const resource = pick(descriptor) as DataProductDescriptor['outputPorts'][number];
      const batch = {
        dataProduct: refOf(descriptor),
        descriptor,
        resources: [resource, { ...resource, name: 'broken', specific: { unexpected: true } }],
      };

      const checked = await call(fn, proxyEvent('POST', '/v1/dataproduct/resources/validate', batch));

      expect(checked.statusCode).toBe(200);
      const [valid, broken] = (checked.body as { results: { resource: string; errors: unknown[] }[] })
        .results;
      expect(valid).toEqual({ resource: resource.name, errors: [] });
      expect(broken?.resource).toBe('broken');
      expect(broken?.errors.length).toBeGreaterThan(0);
      const refused = await call(
        fn,
        proxyEvent('POST', '/v1/dataproduct/resources/validate', batch, tokens.salesDeployer),
      );
      expect(refused.statusCode).toBe(403);
      expect(recorder.unexpected).toEqual([]);
    },
    60_000,
  );
});
