import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Role } from './principal.js';
import type { TokenService } from './token-service.js';

export interface TokenSpec {
  name: string;
  role: Role;
  domains: string[];
}

/**
 * The tokens a local platform needs (the first admin, and each service's own
 * credential), issued once and kept in a file of the data folder (mode 0600)
 * so that a restart reuses them. Only hashes reach the token table.
 */
export async function bootstrapTokens<K extends string>(
  tokens: TokenService,
  specs: Record<K, TokenSpec>,
  file?: string,
): Promise<Record<K, string>> {
  const known: Partial<Record<K, string>> =
    file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const result = {} as Record<K, string>;
  for (const [key, spec] of Object.entries(specs) as [K, TokenSpec][]) {
    const existing = known[key];
    const valid = existing
      ? await tokens.verify(existing).then(
          () => true,
          () => false,
        )
      : false;
    result[key] = valid && existing ? existing : (await tokens.issue(spec)).token;
  }
  if (file) {
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return result;
}

export const PLATFORM_TOKENS = {
  admin: { name: 'local-admin', role: 'admin', domains: ['*'] },
  provisioner: { name: 'provisioner', role: 'provisioner', domains: ['*'] },
  s3: { name: 's3', role: 'microservice', domains: ['*'] },
  eventStore: { name: 'event-store', role: 'microservice', domains: ['*'] },
  observability: { name: 'observability', role: 'microservice', domains: ['*'] },
  workload: { name: 'workload', role: 'microservice', domains: ['*'] },
  /** Given to observability functions so they can report their data product's state, and nothing more. */
  observabilityReader: { name: 'observability-functions', role: 'reader', domains: ['*'] },
} as const satisfies Record<string, TokenSpec>;
