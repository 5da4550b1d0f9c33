import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors.js';
import { requestJson } from '../http/json-client.js';
import { type Principal, ROLES, type Role } from './principal.js';
import type { TokenVerifier } from './token-service.js';
import { hashToken, isDmpToken } from './tokens.js';
import { type Verification, VerifiedPrincipals } from './verified-principals.js';

/**
 * Verifies tokens by asking the state service (which keeps the token table),
 * remembering answers briefly: a revoked token stops working within the TTL.
 */
export class RemoteTokenVerifier implements TokenVerifier {
  private readonly verified: VerifiedPrincipals;

  constructor(
    private readonly stateServiceUrl: string,
    private readonly ttlMs = 10_000,
    private readonly clock: () => number = Date.now,
  ) {
    this.verified = new VerifiedPrincipals(clock);
  }

  verify(token: string): Promise<Principal> {
    return this.verified.verify(hashToken(token), () => this.askStateService(token));
  }

  private async askStateService(token: string): Promise<Verification> {
    const response = await requestJson<Principal & { message?: string }>(
      'POST',
      `${this.stateServiceUrl}/v1/auth/verify`,
      undefined,
      { headers: { authorization: `Bearer ${token}` }, timeoutMs: 5_000 },
    );
    if (response.status !== 200)
      throw new UnauthorizedError('the bearer token is invalid, expired or revoked');
    const { id, name, role, domains } = response.body;
    return { principal: { id, name, role, domains }, until: this.clock() + this.ttlMs };
  }
}

export interface JwtOptions {
  jwksUrl: string;
  issuer: string;
  audience?: string;
  roleClaim: string;
  domainsClaim: string;
}

/** OIDC/JWT mode: signature from the JWKS, issuer (and audience), role and domains from configured claims. */
export class JwtVerifier implements TokenVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: JwtOptions) {
    this.keys = createRemoteJWKSet(new URL(options.jwksUrl));
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        ...(this.options.audience ? { audience: this.options.audience } : {}),
      }));
    } catch {
      throw new UnauthorizedError('the bearer token is not a valid JWT from the configured issuer');
    }
    const role = payload[this.options.roleClaim];
    const domains = payload[this.options.domainsClaim];
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new UnauthorizedError(`the JWT has no valid ${this.options.roleClaim} claim`);
    }
    const domainList = typeof domains === 'string' ? domains.split(/[\s,]+/).filter(Boolean) : domains;
    if (!Array.isArray(domainList) || !domainList.every((domain) => typeof domain === 'string')) {
      throw new UnauthorizedError(`the JWT has no valid ${this.options.domainsClaim} claim`);
    }
    return {
      id: String(payload.sub ?? 'jwt'),
      name: String(payload.sub ?? 'jwt'),
      role: role as Role,
      domains: domainList,
    };
  }
}

/** dmp tokens go to the token verifier; anything else to the JWT verifier, when JWT mode is on. */
export class CompositeVerifier implements TokenVerifier {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly jwt?: TokenVerifier,
  ) {}

  verify(token: string): Promise<Principal> {
    if (isDmpToken(token)) return this.tokens.verify(token);
    if (this.jwt) return this.jwt.verify(token);
    return Promise.reject(new UnauthorizedError('the bearer token is not a dmp token'));
  }
}
