import type { Principal } from '../../shared/auth/principal.js';
import type { TokenAdministration } from '../../shared/auth/token-client.js';
import type { IssuedTokenView, NewToken } from '../../shared/auth/token-service.js';
import type { TokenSummary } from '../../shared/auth/token-store.js';
import { issueToken } from '../../shared/auth/tokens.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';

/**
 * The state service's token administration as the observability service's
 * credential sees it, in memory, for provisioner logic tests: it issues
 * reader tokens for exactly one domain and nothing else, lists and revokes
 * only what it issued, and verifies tokens as the state service would.
 * Secrets are kept only to verify them, as hashes would be.
 */
export class TokenAdministrationDouble implements TokenAdministration {
  readonly issued = new Map<string, { summary: TokenSummary; token: string }>();
  readonly calls: string[] = [];

  async issue(request: NewToken): Promise<IssuedTokenView> {
    this.calls.push(`issue ${request.name}`);
    if (request.role !== 'reader' || request.domains.length !== 1 || request.domains[0] === '*') {
      throw new ForbiddenError('this credential issues reader tokens for exactly one domain');
    }
    const { id, token } = issueToken();
    const summary: TokenSummary = {
      id,
      name: request.name,
      role: 'reader',
      domains: request.domains,
      createdAt: new Date().toISOString(),
      expiresAt: null,
      revokedAt: null,
      issuedBy: 'observability',
      serviceIssued: true,
    };
    this.issued.set(id, { summary, token });
    return { token, summary };
  }

  async list(): Promise<TokenSummary[]> {
    this.calls.push('list');
    return [...this.issued.values()].map(({ summary }) => ({ ...summary }));
  }

  async revoke(id: string): Promise<void> {
    this.calls.push(`revoke ${id}`);
    const entry = this.issued.get(id);
    if (!entry) throw new NotFoundError(`token ${id} is unknown`);
    entry.summary.revokedAt ??= new Date().toISOString();
  }

  async verify(token: string): Promise<Principal | undefined> {
    const entry = [...this.issued.values()].find((candidate) => candidate.token === token);
    if (!entry || entry.summary.revokedAt) return undefined;
    const { id, name, role, domains } = entry.summary;
    return { id, name, role, domains, serviceIssued: true };
  }

  /** Tokens issued and not revoked. */
  active(): TokenSummary[] {
    return [...this.issued.values()].map(({ summary }) => summary).filter((summary) => !summary.revokedAt);
  }
}
