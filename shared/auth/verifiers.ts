import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { UnauthorizedError, UpstreamError } from '../errors.js';
import { requestJson } from '../http/json-client.js';
import { HUMAN_ROLES, isHumanRole, type Principal } from './principal.js';
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
    /** Longest the state service may take to answer (DMP_STATE_TIMEOUT_MS); then the caller gets a 503. */
    private readonly timeoutMs = 4_500,
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
      { headers: { authorization: `Bearer ${token}` }, timeoutMs: this.timeoutMs },
    );
    // A state service that fails says nothing about the token: the caller may try again (503), not log in again.
    if (response.status >= 500)
      throw new UpstreamError('the state service could not verify the token; try again shortly');
    if (response.status !== 200)
      throw new UnauthorizedError('the bearer token is invalid, expired or revoked');
    const { id, name, role, domains, technologies, kinds, mayIssue, serviceIssued } = response.body;
    return {
      principal: {
        id,
        name,
        role,
        domains,
        ...(technologies ? { technologies } : {}),
        ...(kinds ? { kinds } : {}),
        ...(mayIssue ? { mayIssue } : {}),
        ...(serviceIssued ? { serviceIssued: true } : {}),
      },
      until: this.clock() + this.ttlMs,
    };
  }
}

export interface JwtOptions {
  jwksUrl: string;
  issuer: string;
  audience?: string;
  roleClaim: string;
  domainsClaim: string;
  /** Oldest accepted token, by its `iat`, whatever its `exp` says (default 24 hours). */
  maxAgeSeconds?: number;
}

/**
 * A day: the longest default access-token lifetime of the common identity
 * providers (Auth0's API tokens; Entra ID, Okta and Google mint one hour), so
 * no default setup is refused, while a token minted with a far `exp` stops
 * working after a day. See `DMP_JWT_MAX_AGE_SECONDS` in docs/security.md.
 */
export const DEFAULT_JWT_MAX_AGE_SECONDS = 24 * 60 * 60;

/**
 * OIDC/JWT mode: signature from the JWKS, issuer (and audience), role and
 * domains from configured claims. JWTs are for people: a role claim of a
 * service (provisioner, microservice) proves nothing, since service
 * credentials are dmp tokens bound to what each service does. Every JWT must
 * expire (`exp`) and be younger than the maximum age (`iat`), so a token an
 * identity provider minted without an end, or with a far one, does not live
 * forever here.
 */
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
        requiredClaims: ['exp', 'iat'],
        maxTokenAge: this.options.maxAgeSeconds ?? DEFAULT_JWT_MAX_AGE_SECONDS,
      }));
    } catch (error) {
      throw new UnauthorizedError(
        `the bearer token is not a valid JWT from the configured issuer${claimProblem(error)}`,
      );
    }
    const role = payload[this.options.roleClaim];
    const domains = payload[this.options.domainsClaim];
    if (typeof role !== 'string' || !isHumanRole(role)) {
      throw new UnauthorizedError(
        `the JWT has no valid ${this.options.roleClaim} claim: one of ${HUMAN_ROLES.join(', ')} (service credentials are dmp tokens)`,
      );
    }
    const domainList = typeof domains === 'string' ? domains.split(/[\s,]+/).filter(Boolean) : domains;
    if (!Array.isArray(domainList) || !domainList.every((domain) => typeof domain === 'string')) {
      throw new UnauthorizedError(`the JWT has no valid ${this.options.domainsClaim} claim`);
    }
    return {
      id: String(payload.sub ?? 'jwt'),
      name: String(payload.sub ?? 'jwt'),
      role,
      domains: domainList,
    };
  }
}

/** Which time claim failed (jose names it, after the signature checked out); nothing about keys or signatures. */
function claimProblem(error: unknown): string {
  if (!(error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed)) return '';
  const missing = error.reason === 'missing';
  if (error.claim === 'exp') return missing ? ': it must carry exp' : ': it has expired';
  if (error.claim === 'iat') {
    return missing ? ': it must carry iat' : ': it is older than the maximum age, or issued in the future';
  }
  return '';
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
