import { authorize } from '../../../shared/auth/access-rules.js';
import type { TokenVerifier } from '../../../shared/auth/token-service.js';
import { RemoteTokenVerifier } from '../../../shared/auth/verifiers.js';
import { ForbiddenError, UnauthorizedError } from '../../../shared/errors.js';
import { bearerOf } from '../../../shared/http/authenticate.js';

/** What API Gateway sends a TOKEN authorizer. */
export interface TokenAuthorizerEvent {
  type: 'TOKEN';
  authorizationToken?: string;
  /** arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{method}/{path} */
  methodArn: string;
}

export interface AuthorizerPolicy {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }[];
  };
}

/**
 * The gate in front of the microservices' REST API: only a dmp token whose
 * role may call microservices (the provisioner's) gets through. The decision
 * is the platform's own (`authorize(…, 'call-microservice')`, the rule every
 * microservice handler applies again); the token is verified by the state
 * service, as the handlers verify it. API Gateway answers 401 for
 * `Unauthorized`, 403 for a Deny, and 500 when this function fails (the state
 * service unreachable): the provisioner retries 5xx, never 401.
 */
export function createAuthorizer(verifier: TokenVerifier) {
  return async (event: TokenAuthorizerEvent): Promise<AuthorizerPolicy> => {
    const token = bearerOf(event.authorizationToken);
    if (!token) throw new Error('Unauthorized');
    try {
      const principal = await verifier.verify(token);
      authorize(principal, 'call-microservice');
      return policy(principal.id, 'Allow', event.methodArn);
    } catch (error) {
      if (error instanceof UnauthorizedError) throw new Error('Unauthorized');
      if (error instanceof ForbiddenError) return policy('forbidden', 'Deny', event.methodArn);
      throw error;
    }
  };
}

/**
 * The decision covers every method of the stage: API Gateway caches it by
 * token, and the same token then calls every microservice.
 */
function policy(principalId: string, effect: 'Allow' | 'Deny', methodArn: string): AuthorizerPolicy {
  const [arn, stage] = methodArn.split('/');
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${arn}/${stage}/*` }],
    },
  };
}

const stateServiceUrl = process.env.DMP_STATE_SERVICE_URL;
export const handler = stateServiceUrl
  ? createAuthorizer(new RemoteTokenVerifier(stateServiceUrl, 10_000))
  : async () => {
      throw new Error('DMP_STATE_SERVICE_URL is not set');
    };
