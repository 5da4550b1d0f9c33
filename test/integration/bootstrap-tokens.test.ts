import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTokens, PLATFORM_TOKENS, type TokenSpec } from '../../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../shared/auth/token-service.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';

let stack: TestStack;
let tokens: TokenService;
const dir = mkdtempSync(join(tmpdir(), 'dmp-bootstrap-'));
const file = join(dir, 'tokens.json');

beforeAll(async () => {
  stack = await startTestStack();
  tokens = new TokenService(await DynamoTokenStore.create(stack.dynamo, 'bootstrap-tokens'));
});
afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
  removeDir(dir);
});

/** The platform's credentials as releases before least privilege issued them: unbound, and a reader of every domain. */
const EARLIER_TOKENS = {
  admin: PLATFORM_TOKENS.admin,
  s3: { name: 's3', role: 'microservice', domains: ['*'] },
  observabilityReader: { name: 'observability-functions', role: 'reader', domains: ['*'] },
} as const satisfies Record<string, TokenSpec>;

const provesNothing = (token: string) =>
  tokens.verify(token).then(
    () => false,
    () => true,
  );

describe('bootstrapTokens', () => {
  it("revokes a kept credential whose rights no longer match its spec, or whose spec is gone, and issues the platform's own", async () => {
    const earlier = await bootstrapTokens(tokens, EARLIER_TOKENS, file);

    const now = await bootstrapTokens(tokens, PLATFORM_TOKENS, file);

    expect(now.admin).toBe(earlier.admin);
    expect(now.s3).not.toBe(earlier.s3);
    expect(await provesNothing(earlier.s3)).toBe(true);
    expect(await provesNothing(earlier.observabilityReader)).toBe(true);
    expect(await tokens.verify(now.s3)).toMatchObject({
      role: 'microservice',
      technologies: ['s3', 's3cdp'],
    });
    expect(await tokens.verify(now.observability)).toMatchObject({
      technologies: ['aws-lambda'],
      kinds: ['observability'],
      mayIssue: ['reader'],
    });
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort()).toEqual(
      Object.keys(PLATFORM_TOKENS).sort(),
    );

    const again = await bootstrapTokens(tokens, PLATFORM_TOKENS, file);
    expect(again).toEqual(now);
  });
});
