import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Principal } from './principal.js';
import type { NewToken, TokenService } from './token-service.js';
import { tokenIdOf } from './tokens.js';

/** A token the platform issues itself: a name, its rights and, for a microservice, its bindings. */
export type TokenSpec = Omit<NewToken, 'expiresAt'>;

/**
 * The tokens a local platform needs (the first admin, and each service's own
 * credential), issued once and kept in a file of the data folder (mode 0600)
 * so that a restart reuses them. A kept token whose rights no longer match
 * its spec (the platform's credentials were narrowed), or whose spec is gone,
 * is revoked, and a matching one issued. Only hashes reach the token table.
 */
export async function bootstrapTokens<K extends string>(
  tokens: TokenService,
  specs: Record<K, TokenSpec>,
  file?: string,
): Promise<Record<K, string>> {
  const known: Record<string, string> =
    file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const result = {} as Record<K, string>;
  for (const [key, spec] of Object.entries(specs) as [K, TokenSpec][]) {
    result[key] = (await tokenFor(tokens, known[key], spec)).token;
  }
  for (const [key, stale] of Object.entries(known)) {
    if (key in specs || typeof stale !== 'string') continue;
    const id = tokenIdOf(stale);
    if (id && (await verified(tokens, stale))) await tokens.revoke(id);
  }
  if (file) {
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return result;
}

/**
 * The token to keep for `spec`: `existing` while it still verifies and carries
 * exactly the spec's rights; otherwise a new one, the outdated one revoked.
 * Wherever platform tokens are kept (a file locally, Secrets Manager on AWS).
 */
export async function tokenFor(
  tokens: TokenService,
  existing: string | undefined,
  spec: TokenSpec,
): Promise<{ token: string; issued: boolean }> {
  const principal = existing ? await verified(tokens, existing) : undefined;
  if (existing && principal && matches(principal, spec)) return { token: existing, issued: false };
  if (principal) await tokens.revoke(principal.id);
  return { token: (await tokens.issue(spec)).token, issued: true };
}

function verified(tokens: TokenService, token: string): Promise<Principal | undefined> {
  return tokens.verify(token).then(
    (principal) => principal,
    () => undefined,
  );
}

/** Whether a kept token still carries exactly the spec's rights. */
function matches(principal: Principal, spec: TokenSpec): boolean {
  const same = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
    JSON.stringify([...(a ?? [])].sort()) === JSON.stringify([...(b ?? [])].sort()) &&
    (a === undefined) === (b === undefined);
  return (
    principal.name === spec.name &&
    principal.role === spec.role &&
    same(principal.domains, spec.domains) &&
    same(principal.technologies, spec.technologies) &&
    same(principal.kinds, spec.kinds) &&
    same(principal.mayIssue, spec.mayIssue)
  );
}

/**
 * The platform's own credentials. Each microservice writes only resources of
 * the technologies (and kinds) it serves (discovery-config/local.yaml):
 * `aws-lambda` is the observability service's for observability resources
 * and the workload service's for workloads. The observability service also
 * issues one reader token per observability function, for its data
 * product's domain only.
 */
export const PLATFORM_TOKENS = {
  admin: { name: 'local-admin', role: 'admin', domains: ['*'] },
  provisioner: { name: 'provisioner', role: 'provisioner', domains: ['*'] },
  s3: { name: 's3', role: 'microservice', domains: ['*'], technologies: ['s3', 's3cdp'] },
  eventStore: { name: 'event-store', role: 'microservice', domains: ['*'], technologies: ['event-store'] },
  observability: {
    name: 'observability',
    role: 'microservice',
    domains: ['*'],
    technologies: ['aws-lambda'],
    kinds: ['observability'],
    mayIssue: ['reader'],
  },
  workload: {
    name: 'workload',
    role: 'microservice',
    domains: ['*'],
    technologies: ['aws-lambda'],
    kinds: ['workload'],
  },
} as const satisfies Record<string, TokenSpec>;
