import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundledFunctionProps, bundledFunction } from '../lib/bundled-function.js';

const run = promisify(execFile);

/**
 * The stack's own handlers as Lambda gets them: bundled by the stack's
 * esbuild settings, copied to an empty folder with no node_modules in reach,
 * loaded by a fresh Node process as an ES module.
 */
function bundle(entry: BundledFunctionProps['entry']): string {
  const outdir = mkdtempSync(join(tmpdir(), 'dmp-bundle-out-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'bundle');
  bundledFunction(stack, 'Function', {
    functionName: 'dmp-test-bundle',
    entry,
    role: new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    logGroup: new logs.LogGroup(stack, 'Logs'),
    timeout: Duration.seconds(10),
  });
  app.synth();
  const [asset] = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  if (!asset) throw new Error(`no bundle of ${entry}`);
  const folder = mkdtempSync(join(tmpdir(), 'dmp-bundle-'));
  cpSync(join(outdir, asset), folder, { recursive: true });
  return folder;
}

/** Loads `index.mjs` of the folder in a new process and prints what `handler(event)` did. */
async function invoke(folder: string, event: unknown, env: Record<string, string> = {}): Promise<string> {
  const script = `
    const { handler } = await import('./index.mjs');
    try { console.log(JSON.stringify({ result: await handler(${JSON.stringify(event)}) ?? null })); }
    catch (error) { console.log(JSON.stringify({ error: error.message })); }`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: folder,
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'eu-west-1', ...env },
    timeout: 30_000,
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

let server: Server;
const received: string[] = [];
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(body);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('the bundled handlers', () => {
  it('the token bootstrap loads alone and answers CloudFormation', async () => {
    const folder = bundle('token-bootstrap.ts');
    const output = await invoke(folder, {
      RequestType: 'Delete',
      ResponseURL: `${url}/response`,
      StackId: 'stack',
      RequestId: 'request',
      LogicalResourceId: 'PlatformTokens',
      PhysicalResourceId: 'dmp-platform-tokens',
      ResourceProperties: {},
    });
    expect(JSON.parse(output)).toEqual({ result: null });
    expect(JSON.parse(received.at(-1) ?? '{}')).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'dmp-platform-tokens',
    });
  });

  it('the API authorizer loads alone and refuses a request without a token', async () => {
    const folder = bundle('api-authorizer.ts');
    const event = { type: 'TOKEN', methodArn: 'arn:aws:execute-api:eu-west-1:1:api/v1/GET/x' };
    const output = await invoke(folder, event, { DMP_STATE_SERVICE_URL: url });
    expect(JSON.parse(output)).toEqual({ error: 'Unauthorized' });
  });
});
