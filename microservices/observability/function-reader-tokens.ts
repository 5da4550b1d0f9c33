import { createHash } from 'node:crypto';
import type { TokenAdministration } from '../../shared/auth/token-client.js';
import type { TokenSummary } from '../../shared/auth/token-store.js';
import { tokenIdOf } from '../../shared/auth/tokens.js';

/** The variable that hands an endpoint function its token. */
export const STATE_TOKEN_VARIABLE = 'DMP_STATE_TOKEN';

/** One endpoint function, as its reader token is named for it. */
export interface ReaderFunction {
  name: string;
  /** The `dmp:owner` of the function: the token's name carries it, so two owners never share one. */
  owner: string;
  /** The data product's domain: the only domain the token reads. */
  domain: string;
}

export interface ReaderGrant {
  /** The token to put in the function's environment. */
  token: string;
  /** Revokes every other token issued for the function: call once the function holds `token`. */
  revokeOthers(): Promise<void>;
}

/**
 * One reader token per observability function, for its data product's domain
 * alone, issued with the observability service's own credential (which may
 * issue nothing else, and administer only what it issued). Converging twice
 * issues nothing the second time: a function that holds a token still valid
 * keeps it. A function that holds none (a new function, or one whose token
 * was revoked) gets a new one, and every other token issued for it is
 * revoked once it holds the new one; removing the function revokes them all.
 * Tokens are looked up by name, not by what a function holds, so a token
 * issued before a crash is found and revoked too. Tokens are never logged.
 */
export class FunctionReaderTokens {
  constructor(private readonly tokens: TokenAdministration) {}

  async grant(fn: ReaderFunction, held: string | undefined): Promise<ReaderGrant> {
    const issued = await this.issuedFor(fn);
    const heldId = held ? tokenIdOf(held) : undefined;
    const candidate = issued.find(
      (token) => token.id === heldId && token.domains.length === 1 && token.domains[0] === fn.domain,
    );
    const stillValid = candidate && held ? (await this.tokens.verify(held))?.id === candidate.id : false;
    const token =
      stillValid && held
        ? held
        : (await this.tokens.issue({ name: tokenName(fn), role: 'reader', domains: [fn.domain] })).token;
    const keptId = tokenIdOf(token);
    return {
      token,
      revokeOthers: () => this.revoke(issued.filter((other) => other.id !== keptId)),
    };
  }

  /** Revokes every token issued for the function (it is gone, or about to be). */
  async revokeAll(fn: Omit<ReaderFunction, 'domain'>): Promise<void> {
    await this.revoke(await this.issuedFor(fn));
  }

  private async issuedFor(fn: Omit<ReaderFunction, 'domain'>): Promise<TokenSummary[]> {
    const name = tokenName(fn);
    return (await this.tokens.list()).filter((token) => token.name === name && token.revokedAt === null);
  }

  private async revoke(tokens: readonly TokenSummary[]): Promise<void> {
    for (const token of tokens) await this.tokens.revoke(token.id);
  }
}

/** `observability.<function>.<hash of its owner>`: within the 128 characters a token name may have. */
export function tokenName(fn: Pick<ReaderFunction, 'name' | 'owner'>): string {
  const owner = createHash('sha256').update(fn.owner).digest('hex').slice(0, 12);
  return `observability.${fn.name}.${owner}`;
}
