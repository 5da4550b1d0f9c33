import { createHash } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';

/** The child resource that makes a route's function answer every path below the route too. */
export const PROXY_PART = '{proxy+}';

/** Who may invoke a function for API Gateway. */
export const API_GATEWAY_PRINCIPAL = 'apigateway.amazonaws.com';

const PATH_PART = /^[A-Za-z0-9._-]+$/;

/** Refuses a route that API Gateway (or a URL) could not carry unchanged. */
export function assertRoutePath(pathParts: readonly string[]): void {
  const issues = pathParts.flatMap((part, index) =>
    PATH_PART.test(part) && part !== '.' && part !== '..'
      ? []
      : [
          {
            path: `/pathParts/${index}`,
            message: `"${part.slice(0, 80)}" is not a path part (letters, digits, '.', '_', '-')`,
          },
        ],
  );
  if (pathParts.length === 0)
    issues.push({ path: '/pathParts', message: 'a route needs at least one path part' });
  if (issues.length > 0) throw new ValidationError('The route is invalid', issues);
}

export function routePath(pathParts: readonly string[]): string {
  return pathParts.join('/');
}

/**
 * The id of the resource-policy statement that lets the gateway invoke the
 * route's function: derived from the API name and path only, so that
 * unpublish finds it even after the REST API is gone.
 */
export function invokeStatementId(restApi: string, pathParts: readonly string[]): string {
  const hash = createHash('sha256')
    .update(`${restApi}\n${routePath(pathParts)}`)
    .digest('hex')
    .slice(0, 24);
  return `dmp-apigw-${hash}`;
}

/** The execute-api ARN pattern of GET on the route and everything below it. */
export function routeSourceArn(
  region: string,
  accountId: string,
  restApiId: string,
  pathParts: readonly string[],
): string {
  return `arn:aws:execute-api:${region}:${accountId}:${restApiId}/*/GET/${routePath(pathParts)}*`;
}
