import type { DataProductRef, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ownedFunctionName } from '../lambda-runtime/lambda-naming.js';
import type { ObservabilityEndpoint } from './observability-specific.js';

/** First part of every observability endpoint function's name. */
export const OBSERVABILITY_FUNCTION_PREFIX = 'dmp-obs';

/** One endpoint of an observability resource as deployed: its function and its GET route. */
export interface EndpointRoute {
  restApi: string;
  /** As the descriptor names it: the readable part of the function's name. */
  lambdaName: string;
  /** The deployed function, derived from the owning resource and `lambdaName` (`endpointFunctionName`). */
  functionName: string;
  /** `/{environment}/{domain}/{dataProduct}/{version}/{resource}/{path…}` as path parts. */
  pathParts: string[];
  artifact: { bucket: string; key: string };
  handler: string;
}

/**
 * Routes live under the data product and resource, as in the thesis' figure
 * 5.11 (`/environment/{domain}/dataProduct/{version}/…`), so data products and
 * resources sharing one REST API never collide.
 */
export function routePrefix(ref: DataProductRef, resourceName: string): string[] {
  return [ref.environment, ref.domain, ref.name, ref.version, resourceName];
}

/** The function behind an endpoint: nobody chooses it raw, so no other data product can take or pre-claim it. */
export function endpointFunctionName(ref: DataProductRef, resourceName: string, lambdaName: string): string {
  return ownedFunctionName(OBSERVABILITY_FUNCTION_PREFIX, ref, resourceName, lambdaName);
}

export function endpointRoutes(
  ref: DataProductRef,
  resourceName: string,
  specific: { restApi: string; bucket: string; endpoints: readonly ObservabilityEndpoint[] },
): EndpointRoute[] {
  return specific.endpoints.map((endpoint) => ({
    restApi: specific.restApi,
    lambdaName: endpoint.lambdaName,
    functionName: endpointFunctionName(ref, resourceName, endpoint.lambdaName),
    pathParts: [...routePrefix(ref, resourceName), ...endpoint.path],
    artifact: { bucket: specific.bucket, key: endpoint.artifact },
    handler: endpoint.handler,
  }));
}

/**
 * The routes and functions a resource applied earlier may have left, read
 * leniently (no artifact or handler checks): enough to unpublish and delete
 * them even if today's rules would refuse that descriptor.
 */
export function appliedRoutes(ref: DataProductRef, resource: ResourceDescriptor): EndpointRoute[] {
  const { restAPI, bucket, observabilityEndpoint } = resource.specific;
  if (typeof restAPI !== 'string') return [];
  const entries = Array.isArray(observabilityEndpoint) ? observabilityEndpoint : [observabilityEndpoint];
  return entries.flatMap((entry) => {
    const { lambdaName, path, artifact, handler } = (entry ?? {}) as Record<string, unknown>;
    if (typeof lambdaName !== 'string' || lambdaName === '') return [];
    const parts = typeof path === 'string' ? path.split('/').filter((part) => part !== '') : [lambdaName];
    return [
      {
        restApi: restAPI,
        lambdaName,
        functionName: endpointFunctionName(ref, resource.name, lambdaName),
        pathParts: [...routePrefix(ref, resource.name), ...parts],
        artifact: { bucket: String(bucket), key: String(artifact) },
        handler: String(handler),
      },
    ];
  });
}

export function routeKey(route: Pick<EndpointRoute, 'restApi' | 'pathParts'>): string {
  return `${route.restApi}:/${route.pathParts.join('/')}`;
}
