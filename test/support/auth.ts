import request from 'supertest';
import { bootstrapTokens, type TokenSpec } from '../../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../shared/auth/token-service.js';
import type { TestStack } from './local-stack.js';

/**
 * The tokens every test platform issues: one per role, domain-scoped people,
 * and each microservice's own credential, bound to the technologies (and
 * kinds) it serves, as PLATFORM_TOKENS binds the platform's.
 */
export const TEST_TOKENS = {
  admin: { name: 'admin', role: 'admin', domains: ['*'] },
  salesAdmin: { name: 'sales-admin', role: 'admin', domains: ['sales'] },
  provisioner: { name: 'test-provisioner', role: 'provisioner', domains: ['*'] },
  s3Service: { name: 's3', role: 'microservice', domains: ['*'], technologies: ['s3', 's3cdp'] },
  gatedService: {
    name: 'gated',
    role: 'microservice',
    domains: ['*'],
    technologies: ['gated', 'brief'],
  },
  eventStoreService: {
    name: 'event-store',
    role: 'microservice',
    domains: ['*'],
    technologies: ['event-store'],
  },
  /** The gated kit serving technology `dead`, when a test brings that microservice up. */
  deadService: { name: 'dead', role: 'microservice', domains: ['*'], technologies: ['dead'] },
  observabilityService: {
    name: 'observability',
    role: 'microservice',
    domains: ['*'],
    technologies: ['aws-lambda'],
    kinds: ['observability'],
    mayIssue: ['reader'],
  },
  workloadService: {
    name: 'workload',
    role: 'microservice',
    domains: ['*'],
    technologies: ['aws-lambda'],
    kinds: ['workload'],
  },
  salesDeployer: { name: 'sales-ci', role: 'deployer', domains: ['sales'] },
  salesReader: { name: 'sales-reader', role: 'reader', domains: ['sales'] },
} as const satisfies Record<string, TokenSpec>;

export type TestTokens = Record<keyof typeof TEST_TOKENS, string>;

export async function issueTestTokens(stack: TestStack, tableName?: string): Promise<TestTokens> {
  const store = await DynamoTokenStore.create(stack.dynamo, tableName);
  return bootstrapTokens(new TokenService(store), TEST_TOKENS);
}

/** A supertest client that sends the bearer token on every request. */
export function authed(url: string, token: string) {
  const bearer = `Bearer ${token}`;
  const agent = request(url);
  return {
    get: (path: string) => agent.get(path).set('Authorization', bearer),
    post: (path: string) => agent.post(path).set('Authorization', bearer),
    put: (path: string) => agent.put(path).set('Authorization', bearer),
    delete: (path: string) => agent.delete(path).set('Authorization', bearer),
  };
}
