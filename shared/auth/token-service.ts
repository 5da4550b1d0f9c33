import type { ResourceKind } from '../descriptor/types.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { Principal, Role } from './principal.js';
import type { TokenRecord, TokenStore, TokenSummary } from './token-store.js';
import { hashesMatch, hashToken, issueToken, tokenIdOf } from './tokens.js';
import { VerifiedPrincipals } from './verified-principals.js';

export interface TokenVerifier {
  /** The principal a bearer token proves; UnauthorizedError when it proves nothing. */
  verify(token: string): Promise<Principal>;
}

export interface NewToken {
  name: string;
  role: Role;
  domains: string[];
  expiresAt?: string | null;
  /** Microservice credentials only: what they may write, and whom they may issue tokens for. */
  technologies?: string[];
  kinds?: ResourceKind[];
  mayIssue?: Role[];
}

/** Who issued a token: recorded with it, never requested by the caller. */
export interface Provenance {
  issuedBy: string;
  serviceIssued?: boolean;
}

export interface IssuedTokenView {
  /** Shown once, at creation or rotation; only its hash is kept. */
  token: string;
  summary: TokenSummary;
}

/**
 * Issues, verifies, rotates and revokes dmp tokens. With `verifiedTtlMs`, a
 * verified token is trusted that long without reading the store again (every
 * request is authenticated, and that read would be most of a cheap request);
 * revoking or rotating through this instance forgets it at once, other
 * instances within the TTL.
 */
export class TokenService implements TokenVerifier {
  private readonly verified: VerifiedPrincipals;

  constructor(
    private readonly store: TokenStore,
    private readonly clock: () => Date = () => new Date(),
    private readonly verifiedTtlMs = 0,
  ) {
    this.verified = new VerifiedPrincipals(() => this.clock().getTime());
  }

  async issue(request: NewToken, provenance?: Provenance): Promise<IssuedTokenView> {
    if (request.expiresAt && !isRealInstant(request.expiresAt)) {
      throw new ValidationError('The token request is invalid', [
        { path: '/expiresAt', message: `${request.expiresAt} is not a real date and time` },
      ]);
    }
    const { id, token, hash } = issueToken();
    const record: TokenRecord = {
      id,
      hash,
      name: request.name,
      role: request.role,
      domains: request.domains,
      createdAt: this.clock().toISOString(),
      expiresAt: request.expiresAt ?? null,
      revokedAt: null,
      ...(provenance ? { issuedBy: provenance.issuedBy } : {}),
      ...(provenance?.serviceIssued ? { serviceIssued: true } : {}),
      ...(request.technologies ? { technologies: request.technologies } : {}),
      ...(request.kinds ? { kinds: request.kinds } : {}),
      ...(request.mayIssue ? { mayIssue: request.mayIssue } : {}),
    };
    await this.store.create(record);
    return { token, summary: summaryOf(record) };
  }

  async verify(token: string): Promise<Principal> {
    if (this.verifiedTtlMs === 0) return (await this.verifyWithStore(token)).principal;
    return this.verified.verify(hashToken(token), async () => {
      const { principal, expiresAt } = await this.verifyWithStore(token);
      const expiry = expiresAt ? Date.parse(expiresAt) : Number.POSITIVE_INFINITY;
      return { principal, until: Math.min(this.clock().getTime() + this.verifiedTtlMs, expiry) };
    });
  }

  private async verifyWithStore(token: string): Promise<{ principal: Principal; expiresAt: string | null }> {
    const id = tokenIdOf(token);
    const record = id ? await this.store.get(id) : undefined;
    // Compared as instants: ISO strings of different precision ("…02Z", "…02.500Z") do not sort as time does.
    const now = this.clock().getTime();
    if (
      !record ||
      !hashesMatch(token, record.hash) ||
      record.revokedAt ||
      // An expiry that is not a real instant never lets the token in (NaN compares false with everything).
      (record.expiresAt && !(Date.parse(record.expiresAt) > now))
    ) {
      throw new UnauthorizedError('the bearer token is invalid, expired or revoked');
    }
    return { principal: principalOf(record), expiresAt: record.expiresAt };
  }

  async list(): Promise<TokenSummary[]> {
    return (await this.store.list()).map(summaryOf).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** One token's summary; NotFoundError for an unknown id. */
  async summary(id: string): Promise<TokenSummary> {
    return summaryOf(await this.known(id));
  }

  async revoke(id: string): Promise<TokenSummary> {
    const record = await this.known(id);
    const revoked = { ...record, revokedAt: record.revokedAt ?? this.clock().toISOString() };
    await this.store.update(revoked);
    this.forget(id);
    return summaryOf(revoked);
  }

  /** A new secret for the same token id and rights; the old secret stops working at once. */
  async rotate(id: string): Promise<IssuedTokenView> {
    const record = await this.known(id);
    if (record.revokedAt) throw new NotFoundError(`token ${id} is revoked`);
    const fresh = issueToken();
    const token = fresh.token.replace(`dmp_${fresh.id}_`, `dmp_${id}_`);
    const rotated = { ...record, hash: hashToken(token) };
    await this.store.update(rotated);
    this.forget(id);
    return { token, summary: summaryOf(rotated) };
  }

  private forget(id: string): void {
    this.verified.forget((principal) => principal.id === id);
  }

  private async known(id: string): Promise<TokenRecord> {
    const record = await this.store.get(id);
    if (!record) throw new NotFoundError(`token ${id} is unknown`);
    return record;
  }
}

/** What a token proves: its rights, and for service credentials their bindings. */
function principalOf(record: TokenRecord): Principal {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    domains: record.domains,
    ...(record.technologies ? { technologies: record.technologies } : {}),
    ...(record.kinds ? { kinds: record.kinds } : {}),
    ...(record.mayIssue ? { mayIssue: record.mayIssue } : {}),
    ...(record.serviceIssued ? { serviceIssued: true } : {}),
  };
}

function summaryOf({ hash: _hash, ...summary }: TokenRecord): TokenSummary {
  return summary;
}

/** `2026-02-30T…` or `…T25:00:00Z` match the ISO pattern but are not instants (or roll over to another day). */
function isRealInstant(text: string): boolean {
  const time = Date.parse(text);
  if (!Number.isFinite(time)) return false;
  const [date = '', clock = ''] = new Date(time).toISOString().split('T');
  return text.startsWith(date) && text.slice(11, 19) === clock.slice(0, 8);
}
