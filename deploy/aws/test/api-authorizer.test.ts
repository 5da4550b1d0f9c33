import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTokenStore } from '../../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../../shared/auth/token-service.js';
import { RemoteTokenVerifier } from '../../../shared/auth/verifiers.js';
import type { RunningServer } from '../../../shared/http/serve.js';
import { startStateService } from '../../../state-service/start-state-service.js';
import { DEFAULT_STATE_TABLES } from '../../../state-service/store/state-tables.js';
import { issueTestTokens, type TestTokens } from '../../../test/support/auth.js';
import { freePort } from '../../../test/support/free-port.js';
import { removeDir, startTestStack, type TestStack } from '../../../test/support/local-stack.js';
import { silentLogger } from '../../../test/support/silent-logger.js';
import { createAuthorizer } from '../lambda/api-authorizer.js';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/api/POST/s3/v1/dataproduct/resource';

let stack: TestStack;
let stateService: RunningServer;
let tokens: TestTokens;
let authorize: ReturnType<typeof createAuthorizer>;

beforeAll(async () => {
  stack = await startTestStack();
  stateService = await startStateService(
    {
      host: '127.0.0.1',
      port: 0,
      dynamoDbEndpoint: stack.dynamoDbEndpoint,
      tables: DEFAULT_STATE_TABLES,
      createTables: true,
      tokenTable: 'dmp-tokens',
      auth: { tokenCacheMs: 0 },
    },
    silentLogger,
  );
  tokens = await issueTestTokens(stack);
  // No cache: each call asks the state service, as a cold authorizer does.
  authorize = createAuthorizer(new RemoteTokenVerifier(stateService.url, 0));
});

afterAll(async () => {
  await stateService?.close();
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

const event = (authorizationToken?: string) => ({
  type: 'TOKEN' as const,
  authorizationToken,
  methodArn: METHOD_ARN,
});

describe('the API authorizer', () => {
  it("lets the provisioner's token call every microservice of the stage", async () => {
    const policy = await authorize(event(`Bearer ${tokens.provisioner}`));
    expect(policy.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/api/*',
      },
    ]);
    expect(policy.principalId).toMatch(/^[a-f0-9]{32}$/);
    expect(JSON.stringify(policy)).not.toContain(tokens.provisioner);
  });

  it("denies a valid token of any other role (403), the admin's included", async () => {
    for (const token of [tokens.admin, tokens.s3Service, tokens.salesDeployer, tokens.salesReader]) {
      const policy = await authorize(event(`Bearer ${token}`));
      expect(policy.policyDocument.Statement[0]?.Effect).toBe('Deny');
    }
  });

  it('answers Unauthorized (401) without a bearer token, for a made-up one and for a revoked one', async () => {
    await expect(authorize(event())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event('Basic abc'))).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(event(`Bearer dmp_${'0'.repeat(32)}_${'a'.repeat(43)}`))).rejects.toThrow(
      /^Unauthorized$/,
    );
    const service = new TokenService(new DynamoTokenStore(stack.dynamo, 'dmp-tokens'));
    const issued = await service.issue({
      name: 'short-lived-provisioner',
      role: 'provisioner',
      domains: ['*'],
    });
    expect((await authorize(event(`Bearer ${issued.token}`))).policyDocument.Statement[0]?.Effect).toBe(
      'Allow',
    );
    await service.revoke(issued.summary.id);
    await expect(authorize(event(`Bearer ${issued.token}`))).rejects.toThrow(/^Unauthorized$/);
  });

  it('fails (500, which the provisioner retries) rather than deny when the state service cannot be reached', async () => {
    const unreachable = createAuthorizer(new RemoteTokenVerifier(`http://127.0.0.1:${await freePort()}`, 0));
    const failure = await unreachable(event(`Bearer ${tokens.provisioner}`)).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).not.toBe('Unauthorized');
  });
});
