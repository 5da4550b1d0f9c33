import { setTimeout as sleep } from 'node:timers/promises';
import {
  type APIGatewayClient,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteResourceCommand,
  GetResourcesCommand,
  GetRestApisCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  type Resource,
  type RestApi,
} from '@aws-sdk/client-api-gateway';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import { UpstreamError } from '../../shared/errors.js';
import { addInvokePermission, removeInvokePermission } from './lambda-permissions.js';
import type { PublishedRoute, RestApiGateway, RestApiRoute } from './rest-api-gateway.js';
import {
  API_GATEWAY_PRINCIPAL,
  assertRoutePath,
  invokeStatementId,
  PROXY_PART,
  routePath,
  routeSourceArn,
} from './route-paths.js';

export interface AwsRestApiGatewayOptions {
  region: string;
  /** For the execute-api source ARN; unset: taken from the function's ARN. */
  accountId?: string;
  stage: string;
  /** First wait after API Gateway throttles a deployment (default 2 s, doubled each time, 5 attempts). */
  throttleDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const PAGE_SIZE = 500;
const DEPLOY_ATTEMPTS = 5;

/**
 * RestApiGateway on Amazon API Gateway (REST APIs, v1). Each route is a GET
 * resource and its `{proxy+}` child, both integrated with the function as a
 * Lambda proxy. What exists is detected and kept, so a re-publish creates
 * nothing twice; it still deploys the stage, so a publish interrupted before
 * its deployment is completed by the next one.
 */
export class AwsRestApiGateway implements RestApiGateway {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly apiGateway: APIGatewayClient,
    private readonly lambda: LambdaClient,
    private readonly options: AwsRestApiGatewayOptions,
  ) {
    this.sleep = options.sleep ?? ((ms: number) => sleep(ms));
  }

  async publish(route: RestApiRoute): Promise<PublishedRoute> {
    assertRoutePath(route.pathParts);
    const restApiId = (await this.findRestApi(route.restApi)) ?? (await this.createRestApi(route.restApi));
    const resources = await this.resourcesByPath(restApiId);
    const routeResource = await this.ensurePath(restApiId, resources, route.pathParts);
    const proxyResource = await this.ensurePath(restApiId, resources, [...route.pathParts, PROXY_PART]);
    const uri = `arn:aws:apigateway:${this.options.region}:lambda:path/2015-03-31/functions/${route.functionArn}/invocations`;
    for (const resource of [routeResource, proxyResource]) {
      await this.ensureGetMethod(restApiId, resource);
      await this.ensureProxyIntegration(restApiId, resource, uri);
    }
    await addInvokePermission(this.lambda, route.functionName, {
      statementId: invokeStatementId(route.restApi, route.pathParts),
      principal: API_GATEWAY_PRINCIPAL,
      sourceArn: routeSourceArn(
        this.options.region,
        this.options.accountId ?? accountOf(route.functionArn),
        restApiId,
        route.pathParts,
      ),
    });
    await this.deploy(restApiId, `publish ${routePath(route.pathParts)}`);
    return {
      restApiId,
      url: `https://${restApiId}.execute-api.${this.options.region}.amazonaws.com/${this.options.stage}/${routePath(route.pathParts)}`,
    };
  }

  async unpublish(route: Omit<RestApiRoute, 'functionArn'>): Promise<void> {
    assertRoutePath(route.pathParts);
    const restApiId = await this.findRestApi(route.restApi);
    if (restApiId) {
      const resource = (await this.resourcesByPath(restApiId)).get(`/${routePath(route.pathParts)}`);
      if (resource?.id && (await this.deleteResource(restApiId, resource.id))) {
        await this.deploy(restApiId, `unpublish ${routePath(route.pathParts)}`);
      }
    }
    await removeInvokePermission(
      this.lambda,
      route.functionName,
      invokeStatementId(route.restApi, route.pathParts),
    );
  }

  async close(): Promise<void> {
    // The clients belong to the caller (createLambdaRuntime destroys them).
  }

  /** The REST API of that name; with several (created concurrently), always the oldest, so every caller converges on one. */
  private async findRestApi(name: string): Promise<string | undefined> {
    const matches: RestApi[] = [];
    let position: string | undefined;
    do {
      const page = await gatewayCall('GetRestApis', () =>
        this.apiGateway.send(new GetRestApisCommand({ limit: PAGE_SIZE, position })),
      );
      matches.push(...(page.items ?? []).filter((api) => api.name === name));
      position = page.position;
    } while (position);
    matches.sort((a, b) => (a.createdDate?.getTime() ?? 0) - (b.createdDate?.getTime() ?? 0));
    return matches[0]?.id;
  }

  private async createRestApi(name: string): Promise<string> {
    const created = await gatewayCall('CreateRestApi', () =>
      this.apiGateway.send(
        new CreateRestApiCommand({
          name,
          description: 'Created by dmp',
          endpointConfiguration: { types: ['REGIONAL'] },
        }),
      ),
    );
    if (!created.id) throw new UpstreamError(`API Gateway created REST API ${name} without an id`);
    return created.id;
  }

  private async resourcesByPath(restApiId: string): Promise<Map<string, Resource>> {
    const byPath = new Map<string, Resource>();
    let position: string | undefined;
    do {
      const page = await gatewayCall('GetResources', () =>
        this.apiGateway.send(
          new GetResourcesCommand({ restApiId, limit: PAGE_SIZE, position, embed: ['methods'] }),
        ),
      );
      for (const resource of page.items ?? []) if (resource.path) byPath.set(resource.path, resource);
      position = page.position;
    } while (position);
    return byPath;
  }

  /** Creates each missing part of the path under its parent; a part created meanwhile by someone else is reused. */
  private async ensurePath(
    restApiId: string,
    resources: Map<string, Resource>,
    pathParts: readonly string[],
  ): Promise<Resource> {
    let parent = resources.get('/');
    if (!parent?.id) throw new UpstreamError(`REST API ${restApiId} has no root resource`);
    for (let index = 0; index < pathParts.length; index += 1) {
      const path = `/${pathParts.slice(0, index + 1).join('/')}`;
      let resource = resources.get(path);
      if (!resource) {
        resource = await this.createResource(
          restApiId,
          parent.id as string,
          pathParts[index] as string,
          path,
        );
        resources.set(path, resource);
      }
      parent = resource;
    }
    return parent;
  }

  private async createResource(
    restApiId: string,
    parentId: string,
    pathPart: string,
    path: string,
  ): Promise<Resource> {
    try {
      return await this.apiGateway.send(new CreateResourceCommand({ restApiId, parentId, pathPart }));
    } catch (error) {
      if (!isAwsError(error, 'ConflictException')) throw gatewayFailure('CreateResource', error);
      const concurrent = (await this.resourcesByPath(restApiId)).get(path);
      if (!concurrent) throw gatewayFailure('CreateResource', error);
      return concurrent;
    }
  }

  private async ensureGetMethod(restApiId: string, resource: Resource): Promise<void> {
    if (resource.resourceMethods?.GET) return;
    try {
      await this.apiGateway.send(
        new PutMethodCommand({
          restApiId,
          resourceId: resource.id,
          httpMethod: 'GET',
          authorizationType: 'NONE',
        }),
      );
    } catch (error) {
      // Put concurrently by another attempt.
      if (!isAwsError(error, 'ConflictException')) throw gatewayFailure('PutMethod', error);
    }
  }

  /** PutIntegration replaces whatever integration there was; one that already proxies to the function is kept. */
  private async ensureProxyIntegration(restApiId: string, resource: Resource, uri: string): Promise<void> {
    const current = resource.resourceMethods?.GET?.methodIntegration;
    if (current?.type === 'AWS_PROXY' && current.uri === uri && current.httpMethod === 'POST') return;
    await gatewayCall('PutIntegration', () =>
      this.apiGateway.send(
        new PutIntegrationCommand({
          restApiId,
          resourceId: resource.id,
          httpMethod: 'GET',
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          uri,
        }),
      ),
    );
  }

  /** Deletes the resource and everything below it; false when it was already gone. */
  private async deleteResource(restApiId: string, resourceId: string): Promise<boolean> {
    try {
      await this.apiGateway.send(new DeleteResourceCommand({ restApiId, resourceId }));
      return true;
    } catch (error) {
      if (isAwsError(error, 'NotFoundException')) return false;
      throw gatewayFailure('DeleteResource', error);
    }
  }

  /** API Gateway allows few deployments per account and minute: a throttled deployment waits and tries again. */
  private async deploy(restApiId: string, description: string): Promise<void> {
    const command = new CreateDeploymentCommand({
      restApiId,
      stageName: this.options.stage,
      description: `dmp: ${description}`,
    });
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.apiGateway.send(command);
        return;
      } catch (error) {
        if (!isAwsError(error, 'TooManyRequestsException') || attempt >= DEPLOY_ATTEMPTS) {
          throw gatewayFailure('CreateDeployment', error);
        }
        await this.sleep((this.options.throttleDelayMs ?? 2_000) * 2 ** (attempt - 1));
      }
    }
  }
}

/** `arn:aws:lambda:{region}:{account}:function:{name}` → account. */
function accountOf(functionArn: string): string {
  const account = functionArn.split(':')[4];
  if (!account) throw new UpstreamError(`cannot read the account id from the function ARN ${functionArn}`);
  return account;
}

async function gatewayCall<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw gatewayFailure(operation, error);
  }
}

function gatewayFailure(operation: string, error: unknown): Error {
  if (error instanceof UpstreamError) return error;
  return new UpstreamError(
    `API Gateway ${operation} failed: ${(error as Error)?.message ?? String(error)}`,
    {},
    {
      cause: error,
    },
  );
}
