import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PLATFORM_TOKENS, type TokenSpec, tokenFor } from '../../../shared/auth/bootstrap-tokens.js';
import { DynamoTokenStore } from '../../../shared/auth/dynamo-token-store.js';
import { TokenService } from '../../../shared/auth/token-service.js';
import { createDynamoDocumentClient } from '../../../shared/aws/clients.js';
import { type CustomResourceEvent, customResourceHandler } from './cfn-custom-resource.js';

/** Where each service's token is kept: one Secrets Manager secret per token. */
export interface TokenVault {
  read(key: string): Promise<string | undefined>;
  write(key: string, token: string): Promise<void>;
}

export interface TokenBootstrapOutcome {
  issued: string[];
  kept: string[];
}

/**
 * Makes every secret hold a valid token of its spec: a token that still
 * verifies with the same name, role and domains is kept, anything else (the
 * random placeholder a new secret starts with, a revoked or unknown token, a
 * changed spec) is replaced by a newly issued one. Running it twice issues
 * nothing the second time. Only hashes reach the token table; the tokens
 * themselves go to the secrets and nowhere else (no log, no return value).
 */
export async function ensureServiceTokens(
  tokens: TokenService,
  vault: TokenVault,
  specs: Record<string, TokenSpec>,
): Promise<TokenBootstrapOutcome> {
  const outcome: TokenBootstrapOutcome = { issued: [], kept: [] };
  for (const [key, spec] of Object.entries(specs)) {
    // The same rule as npm start's: a kept token must carry exactly its spec's rights (bindings included).
    const { token, issued } = await tokenFor(tokens, await vault.read(key), spec);
    if (!issued) {
      outcome.kept.push(key);
      continue;
    }
    await vault.write(key, token);
    outcome.issued.push(key);
  }
  return outcome;
}

/** The platform tokens the stack keeps, by key of PLATFORM_TOKENS; the specs themselves come from the code. */
export function platformTokenSpecs(keys: readonly string[]): Record<string, TokenSpec> {
  const specs: Record<string, TokenSpec> = {};
  for (const key of keys) {
    const spec = (PLATFORM_TOKENS as Record<string, TokenSpec>)[key];
    if (!spec) throw new Error(`no platform token ${key} in PLATFORM_TOKENS`);
    specs[key] = spec;
  }
  return specs;
}

/** TokenVault on Secrets Manager: key → secret ARN. */
export class SecretsManagerTokenVault implements TokenVault {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArns: Record<string, string>,
  ) {}

  async read(key: string): Promise<string | undefined> {
    const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: this.arnOf(key) }));
    return SecretString;
  }

  async write(key: string, token: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.arnOf(key), SecretString: token }));
  }

  private arnOf(key: string): string {
    const arn = this.secretArns[key];
    if (!arn) throw new Error(`no secret for token ${key}`);
    return arn;
  }
}

/** What the stack passes the custom resource: the token table and, per PLATFORM_TOKENS key, its secret. */
export interface TokenBootstrapProperties {
  tokenTable: string;
  secrets: Record<string, string>;
}

export function parseTokenBootstrapProperties(properties: Record<string, unknown>): TokenBootstrapProperties {
  const { TokenTable, Secrets } = properties;
  if (typeof TokenTable !== 'string' || TokenTable === '') throw new Error('TokenTable is required');
  if (
    !Secrets ||
    typeof Secrets !== 'object' ||
    !Object.values(Secrets).every((arn) => typeof arn === 'string' && arn.startsWith('arn:'))
  ) {
    throw new Error('Secrets must map each platform token to its secret ARN');
  }
  return { tokenTable: TokenTable, secrets: Secrets as Record<string, string> };
}

export interface TokenBootstrapDependencies {
  tokensIn(table: string): TokenService;
  secrets: SecretsManagerClient;
}

/**
 * The custom resource that issues the platform's tokens during the deployment,
 * before any service that needs one starts. Deleting it changes nothing: the
 * token table is retained with the stack's data.
 */
export function createTokenBootstrapHandler(dependencies: () => TokenBootstrapDependencies) {
  return customResourceHandler(async (event: CustomResourceEvent) => {
    const physicalResourceId = event.PhysicalResourceId ?? 'dmp-platform-tokens';
    if (event.RequestType === 'Delete') return { physicalResourceId };
    const { tokenTable, secrets } = parseTokenBootstrapProperties(event.ResourceProperties);
    const { tokensIn, secrets: client } = dependencies();
    const vault = new SecretsManagerTokenVault(client, secrets);
    const outcome = await ensureServiceTokens(
      tokensIn(tokenTable),
      vault,
      platformTokenSpecs(Object.keys(secrets)),
    );
    // Keys only: which tokens were issued or kept, never a token.
    console.log(JSON.stringify({ issued: outcome.issued, kept: outcome.kept }));
    return { physicalResourceId, data: { Issued: outcome.issued.join(','), Kept: outcome.kept.join(',') } };
  });
}

export const handler = createTokenBootstrapHandler(() => ({
  tokensIn: (table) => new TokenService(new DynamoTokenStore(createDynamoDocumentClient({}), table)),
  secrets: new SecretsManagerClient({}),
}));
