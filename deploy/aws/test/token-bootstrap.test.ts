import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PLATFORM_TOKENS } from '../../../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../../shared/auth/token-service.js';
import { isDmpToken } from '../../../shared/auth/tokens.js';
import { removeDir, startTestStack, type TestStack } from '../../../test/support/local-stack.js';
import type { CustomResourceEvent } from '../lambda/cfn-custom-resource.js';
import {
  createTokenBootstrapHandler,
  ensureServiceTokens,
  platformTokenSpecs,
  SecretsManagerTokenVault,
} from '../lambda/token-bootstrap.js';
import { STACK_TOKEN_KEYS } from '../lib/names.js';

const secretsManager = mockClient(SecretsManagerClient);
const ARNS = Object.fromEntries(
  STACK_TOKEN_KEYS.map((key) => [
    key,
    `arn:aws:secretsmanager:eu-west-1:123456789012:secret:dmp-test/tokens/${key}-AbCdEf`,
  ]),
);

let stack: TestStack;
let tableNumber = 0;
/** What each secret holds, as Secrets Manager would keep it; starts as the placeholder a new secret gets. */
let held: Map<string, string>;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

beforeEach(() => {
  held = new Map(Object.values(ARNS).map((arn) => [arn, 'Xq3bT0placeholderFromSecretsManager']));
  secretsManager.reset();
  secretsManager
    .on(GetSecretValueCommand)
    .callsFake(({ SecretId }) => ({ SecretString: held.get(SecretId) }));
  secretsManager.on(PutSecretValueCommand).callsFake(({ SecretId, SecretString }) => {
    held.set(SecretId, SecretString);
    return {};
  });
});

/** A fresh token table on dynalite for each test. */
async function freshTokens(): Promise<{ service: TokenService; table: string }> {
  tableNumber += 1;
  const table = `dmp-tokens-${tableNumber}`;
  return { service: new TokenService(await DynamoTokenStore.create(stack.dynamo, table)), table };
}

const specs = platformTokenSpecs(STACK_TOKEN_KEYS);
const vault = () => new SecretsManagerTokenVault(new SecretsManagerClient({ region: 'eu-west-1' }), ARNS);

describe('ensureServiceTokens', () => {
  it('replaces each placeholder with a token of its spec, verified by the token table, and writes it only to its secret', async () => {
    const { service } = await freshTokens();
    const outcome = await ensureServiceTokens(service, vault(), specs);
    expect(outcome).toEqual({ issued: [...STACK_TOKEN_KEYS], kept: [] });
    for (const key of STACK_TOKEN_KEYS) {
      const token = held.get(ARNS[key] as string) as string;
      expect(isDmpToken(token)).toBe(true);
      const principal = await service.verify(token);
      const spec = PLATFORM_TOKENS[key];
      expect(principal).toMatchObject({ name: spec.name, role: spec.role, domains: [...spec.domains] });
    }
    const puts = secretsManager
      .commandCalls(PutSecretValueCommand)
      .map((call) => call.args[0].input.SecretId);
    expect(puts.sort()).toEqual(Object.values(ARNS).sort());
    // Only hashes in the table.
    const stored = JSON.stringify(await service.list());
    for (const token of held.values()) expect(stored).not.toContain(token);
  });

  it('issues nothing the second time: a valid token of the same spec is kept', async () => {
    const { service } = await freshTokens();
    await ensureServiceTokens(service, vault(), specs);
    const first = new Map(held);
    secretsManager.resetHistory();
    const again = await ensureServiceTokens(service, vault(), specs);
    expect(again).toEqual({ issued: [], kept: [...STACK_TOKEN_KEYS] });
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(held).toEqual(first);
    expect(await service.list()).toHaveLength(STACK_TOKEN_KEYS.length);
  });

  it('replaces a revoked token, and a token whose spec changed, and keeps the rest', async () => {
    const { service } = await freshTokens();
    await ensureServiceTokens(service, vault(), specs);
    const s3Token = held.get(ARNS.s3 as string) as string;
    const s3Id = (await service.verify(s3Token)).id;
    await service.revoke(s3Id);
    const changed = { ...specs, workload: { ...specs.workload, domains: ['sales'] } } as typeof specs;
    const outcome = await ensureServiceTokens(service, vault(), changed);
    expect(outcome.issued.sort()).toEqual(['s3', 'workload']);
    expect(outcome.kept).toHaveLength(STACK_TOKEN_KEYS.length - 2);
    expect(held.get(ARNS.s3 as string)).not.toBe(s3Token);
    expect((await service.verify(held.get(ARNS.workload as string) as string)).domains).toEqual(['sales']);
  });

  it('refuses a key that PLATFORM_TOKENS does not define', () => {
    expect(() => platformTokenSpecs(['admin', 'nobody'])).toThrow(/no platform token nobody/);
  });
});

describe('the custom resource', () => {
  let server: Server;
  let responses: { body: Record<string, unknown>; contentType: string | undefined }[];
  let responseUrl: string;

  beforeAll(async () => {
    responses = [];
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        responses.push({ body: JSON.parse(body), contentType: request.headers['content-type'] });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response?signature=x`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const event = (RequestType: CustomResourceEvent['RequestType'], properties: Record<string, unknown>) => ({
    RequestType,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/dmp-test/1',
    RequestId: `request-${responses.length}`,
    LogicalResourceId: 'PlatformTokens',
    ResourceProperties: properties,
  });

  it('answers CloudFormation SUCCESS with which tokens it issued, and no token anywhere in the answer', async () => {
    const { service, table } = await freshTokens();
    const handler = createTokenBootstrapHandler(() => ({
      tokensIn: (name) => new TokenService(new DynamoTokenStore(stack.dynamo, name)),
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
    }));
    await handler(event('Create', { TokenTable: table, Secrets: ARNS, SpecsDigest: 'x', Generation: '1' }));
    const [answer] = responses.splice(0);
    expect(answer?.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'dmp-platform-tokens',
      LogicalResourceId: 'PlatformTokens',
      Data: { Issued: STACK_TOKEN_KEYS.join(','), Kept: '' },
    });
    expect(answer?.contentType ?? '').toBe('');
    for (const token of held.values()) expect(JSON.stringify(answer)).not.toContain(token);
    expect(await service.list()).toHaveLength(STACK_TOKEN_KEYS.length);
  });

  it('answers FAILED with the reason when the properties are wrong, and touches nothing', async () => {
    const handler = createTokenBootstrapHandler(() => {
      throw new Error('no dependency should be built');
    });
    await handler(event('Update', { TokenTable: '', Secrets: ARNS }));
    const [answer] = responses.splice(0);
    expect(answer?.body).toMatchObject({ Status: 'FAILED', Reason: 'Error: TokenTable is required' });
    expect(secretsManager.calls()).toHaveLength(0);
  });

  it('changes nothing on Delete: the token table outlives the stack', async () => {
    const handler = createTokenBootstrapHandler(() => {
      throw new Error('no dependency should be built');
    });
    await handler({ ...event('Delete', {}), PhysicalResourceId: 'dmp-platform-tokens' });
    const [answer] = responses.splice(0);
    expect(answer?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'dmp-platform-tokens' });
    expect(secretsManager.calls()).toHaveLength(0);
  });
});
