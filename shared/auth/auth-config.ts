import type { EnvReader } from '../config/env-reader.js';
import type { TokenVerifier } from './token-service.js';
import { DEFAULT_JWT_MAX_AGE_SECONDS, type JwtOptions, JwtVerifier } from './verifiers.js';

export interface AuthConfig {
  /** This service's own dmp token, sent on its calls to other services. */
  serviceToken?: string;
  /** OIDC/JWT mode, on when a JWKS URL is configured. */
  jwt?: JwtOptions;
  /** How long a verified token is trusted before asking the state service again. */
  tokenCacheMs: number;
}

export function readAuthConfig(reader: EnvReader): AuthConfig {
  const jwksUrl = reader.url('DMP_JWT_JWKS_URL');
  const issuer = reader.optionalString('DMP_JWT_ISSUER');
  return {
    serviceToken: reader.optionalString('DMP_SERVICE_TOKEN'),
    tokenCacheMs: reader.integer('DMP_TOKEN_CACHE_MS', 10_000, { min: 0, max: 600_000 }),
    ...(jwksUrl
      ? {
          jwt: {
            jwksUrl,
            issuer: issuer ?? reader.require('DMP_JWT_ISSUER', 'is required when DMP_JWT_JWKS_URL is set'),
            audience: reader.optionalString('DMP_JWT_AUDIENCE'),
            roleClaim: reader.string('DMP_JWT_ROLE_CLAIM', 'dmp_role'),
            domainsClaim: reader.string('DMP_JWT_DOMAINS_CLAIM', 'dmp_domains'),
            maxAgeSeconds: reader.integer('DMP_JWT_MAX_AGE_SECONDS', DEFAULT_JWT_MAX_AGE_SECONDS, {
              min: 60,
              max: 7 * 24 * 60 * 60,
            }),
          },
        }
      : {}),
  };
}

export function jwtVerifierOf(config: AuthConfig): TokenVerifier | undefined {
  return config.jwt ? new JwtVerifier(config.jwt) : undefined;
}
