import { createHash } from 'node:crypto';
import type { FunctionHost } from './function-host.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './local-function-host.js';
import { type LocalRouteTable, routeKeyOf } from './local-route-table.js';
import type { PublishedRoute, RestApiGateway, RestApiRoute } from './rest-api-gateway.js';
import {
  API_GATEWAY_PRINCIPAL,
  assertRoutePath,
  invokeStatementId,
  routePath,
  routeSourceArn,
} from './route-paths.js';

export interface LocalRestApiGatewayOptions {
  /** Base URL of the local Lambda server (`startLocalLambdaServer`), e.g. http://127.0.0.1:8099. */
  baseUrl: string;
  stage: string;
}

/** A REST API's id, derived from its name: the same on every machine and after every restart, 10 characters like API Gateway's. */
export function localRestApiId(restApi: string): string {
  return createHash('sha256').update(restApi).digest('hex').slice(0, 10);
}

/**
 * RestApiGateway for the local runtime: a route is an item of the route table
 * (the local Lambda server reads it and answers GET on the route and every
 * path below it) plus the function's invoke permission, as on AWS. A route
 * published again replaces the previous one, as PutIntegration does.
 */
export class LocalRestApiGateway implements RestApiGateway {
  private readonly baseUrl: string;

  constructor(
    private readonly routes: LocalRouteTable,
    private readonly functions: FunctionHost,
    private readonly options: LocalRestApiGatewayOptions,
  ) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  async publish(route: RestApiRoute): Promise<PublishedRoute> {
    assertRoutePath(route.pathParts);
    const restApiId = localRestApiId(route.restApi);
    const path = routePath(route.pathParts);
    await this.routes.put({
      routeKey: routeKeyOf(restApiId, this.options.stage, path),
      restApi: route.restApi,
      restApiId,
      stage: this.options.stage,
      path,
      functionName: route.functionName,
      functionArn: route.functionArn,
      updatedAt: new Date().toISOString(),
    });
    await this.functions.allowInvoke(route.functionName, {
      statementId: invokeStatementId(route.restApi, route.pathParts),
      principal: API_GATEWAY_PRINCIPAL,
      sourceArn: routeSourceArn(LOCAL_REGION, LOCAL_ACCOUNT_ID, restApiId, route.pathParts),
    });
    return { restApiId, url: `${this.baseUrl}/${restApiId}/${this.options.stage}/${path}` };
  }

  async unpublish(route: Omit<RestApiRoute, 'functionArn'>): Promise<void> {
    assertRoutePath(route.pathParts);
    const restApiId = localRestApiId(route.restApi);
    await this.routes.remove(routeKeyOf(restApiId, this.options.stage, routePath(route.pathParts)));
    await this.functions.revokeInvoke(route.functionName, invokeStatementId(route.restApi, route.pathParts));
  }

  async close(): Promise<void> {
    // The route table and the function host belong to the runtime that created this gateway.
  }
}
