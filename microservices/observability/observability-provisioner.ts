import { type DataProductRef, describeRef, type ResourceDescriptor } from '../../shared/descriptor/types.js';
import { ValidationError, type ValidationIssue } from '../../shared/errors.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type {
  ResourceInfo,
  TechnologyProvisioner,
} from '../../shared/microservice/technology-provisioner.js';
import { artifactPlacementProblem, type StoragePlacement } from '../../shared/storage/storage-placement.js';
import { deployFunction, removeOwnedFunction } from '../lambda-runtime/function-deployment.js';
import type { FunctionHost } from '../lambda-runtime/function-host.js';
import { assertOwnedBy } from '../lambda-runtime/function-ownership.js';
import { ownerOf } from '../lambda-runtime/lambda-naming.js';
import type { RestApiGateway } from '../lambda-runtime/rest-api-gateway.js';
import {
  type FunctionReaderTokens,
  type ReaderGrant,
  STATE_TOKEN_VARIABLE,
} from './function-reader-tokens.js';
import { appliedRoutes, type EndpointRoute, endpointRoutes, routeKey } from './observability-routes.js';
import { parseObservabilitySpecific } from './observability-specific.js';

export interface ObservabilityProvisionerOptions {
  /** The state service as the deployed functions reach it (`DMP_STATE_SERVICE_URL` of each function). */
  stateServiceUrl: string;
  /** Each function's own reader token for its data product's domain (`DMP_STATE_TOKEN`). */
  readerTokens: FunctionReaderTokens;
  /** Which artifact keys a data product may run: its own root's, or the platform's. */
  placement: StoragePlacement;
}

/**
 * Observability endpoints (thesis §5.5.2, code 5.4): for each entry a function
 * from the artifact in the bucket, behind a GET route of the REST API with the
 * Lambda proxy integration, its invoke permission and a deployment. Create and
 * update converge to the listed endpoints; delete removes them all.
 */
export class ObservabilityProvisioner implements TechnologyProvisioner {
  readonly technologies = ['aws-lambda'] as const;
  /** Everything converges in place: moved routes are unpublished, dropped functions deleted. */
  readonly immutableSpecific = [] as const;

  constructor(
    private readonly functions: FunctionHost,
    private readonly gateway: RestApiGateway,
    private readonly options: ObservabilityProvisionerOptions,
  ) {}

  validate(request: ResourceRequest): ValidationIssue[] {
    const { resource } = request;
    const issues: ValidationIssue[] = [];
    if (resource.kind !== 'observability') {
      issues.push({
        path: '/resource/kind',
        message: `this microservice deploys observability resources, not ${resource.kind} resources`,
      });
    }
    if (resource.owner !== undefined) {
      issues.push({ path: '/resource/owner', message: 'observability resources have no owner' });
    }
    if (resource.allow.length > 0) {
      issues.push({ path: '/resource/allow', message: 'observability resources grant no access' });
    }
    issues.push(...this.parse(request).issues);
    return issues;
  }

  create(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.converge(request, previous);
  }

  update(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<ResourceInfo> {
    return this.converge(request, previous);
  }

  async remove(request: ResourceRequest, previous: ResourceDescriptor | null): Promise<void> {
    const { dataProduct } = request;
    const routes = [request.resource, ...(previous ? [previous] : [])].flatMap((resource) =>
      appliedRoutes(dataProduct, resource),
    );
    // Routes first, so no route is left pointing at a deleted function.
    for (const route of unique(routes, routeKey)) await this.unpublish(route);
    const owner = ownerOf(dataProduct, request.resource.name);
    for (const route of unique(routes, (item) => item.functionName)) {
      await this.removeFunction(route.functionName, owner);
    }
    // Deployed before names were derived, a function was named by the raw lambdaName (its dmp:owner tag still guards it).
    for (const route of unique(routes, (item) => item.lambdaName)) {
      await removeOwnedFunction(this.functions, route.lambdaName, owner);
    }
  }

  private parse(request: ResourceRequest) {
    return parseObservabilitySpecific(request.resource.specific, this.functions.artifactExtensions, (key) =>
      artifactPlacementProblem(this.options.placement, request.dataProduct, key),
    );
  }

  private async converge(request: ResourceRequest, previous: ResourceDescriptor | null) {
    const { dataProduct, resource } = request;
    const { value: specific, issues } = this.parse(request);
    if (!specific) throw new ValidationError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
    const desired = endpointRoutes(dataProduct, resource.name, specific);
    const applied = previous ? appliedRoutes(dataProduct, previous) : [];
    const owner = ownerOf(dataProduct, resource.name);
    const environment = this.environmentOf(dataProduct, resource.name);

    const endpoints: { lambdaName: string; functionName: string; path: string; url: string }[] = [];
    let restApiId: string | undefined;
    for (const route of desired) {
      const reader = await this.readerTokenFor(route.functionName, owner, dataProduct.domain);
      const { description } = await deployFunction(this.functions, {
        name: route.functionName,
        artifact: route.artifact,
        handler: route.handler,
        environment: { ...environment, [STATE_TOKEN_VARIABLE]: reader.token },
        owner,
        description: `dmp observability endpoint of ${owner}`.slice(0, 256),
      });
      await reader.revokeOthers();
      // The same route now served by another function: take the old integration down first.
      const replaced = applied.find(
        (old) => routeKey(old) === routeKey(route) && old.functionName !== route.functionName,
      );
      if (replaced) await this.unpublish(replaced);
      const published = await this.gateway.publish({
        restApi: route.restApi,
        pathParts: route.pathParts,
        functionName: description.name,
        functionArn: description.arn,
      });
      restApiId = published.restApiId;
      endpoints.push({
        lambdaName: route.lambdaName,
        functionName: description.name,
        path: `/${route.pathParts.join('/')}`,
        url: published.url,
      });
    }

    const kept = new Set(desired.map(routeKey));
    for (const old of unique(applied, routeKey)) if (!kept.has(routeKey(old))) await this.unpublish(old);
    const keptFunctions = new Set(desired.map((route) => route.functionName));
    for (const old of unique(applied, (route) => route.functionName)) {
      if (!keptFunctions.has(old.functionName)) await this.removeFunction(old.functionName, owner);
    }
    return {
      restApi: specific.restApi,
      restApiId,
      url: endpoints[0]?.url,
      urls: endpoints.map((endpoint) => endpoint.url),
      endpoints,
    };
  }

  /** What each endpoint function needs to report its data product's status, besides its token. */
  private environmentOf(ref: DataProductRef, resourceName: string): Record<string, string> {
    return {
      DMP_STATE_SERVICE_URL: this.options.stateServiceUrl,
      DMP_DATA_PRODUCT: describeRef(ref),
      DMP_RESOURCE: resourceName,
    };
  }

  /**
   * The function's reader token (never logged, never in info): the one it
   * holds while still valid, else a new one. Someone else's function gets
   * none: ownership is checked before anything is issued.
   */
  private async readerTokenFor(name: string, owner: string, domain: string): Promise<ReaderGrant> {
    const existing = await this.functions.describe(name);
    if (existing) assertOwnedBy(existing, owner);
    return this.options.readerTokens.grant(
      { name, owner, domain },
      existing?.environment[STATE_TOKEN_VARIABLE],
    );
  }

  /** Deletes the function if this resource owns it, and revokes the tokens issued for it either way. */
  private async removeFunction(name: string, owner: string): Promise<void> {
    await removeOwnedFunction(this.functions, name, owner);
    await this.options.readerTokens.revokeAll({ name, owner });
  }

  private unpublish(route: EndpointRoute): Promise<void> {
    return this.gateway.unpublish({
      restApi: route.restApi,
      pathParts: route.pathParts,
      functionName: route.functionName,
    });
  }
}

function unique<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
