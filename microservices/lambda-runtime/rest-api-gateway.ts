/**
 * A REST API in front of functions: one GET resource per route (and a
 * `{proxy+}` child, so the function also answers the paths below it),
 * integrated with the function as a Lambda proxy, then deployed.
 */
export interface RestApiRoute {
  /** The REST API's name; created when missing. */
  restApi: string;
  /** The resource path, one entry per path part (no slashes). */
  pathParts: readonly string[];
  functionName: string;
  functionArn: string;
}

export interface PublishedRoute {
  /** The URL that answers GET on the route. */
  url: string;
  restApiId: string;
}

export interface RestApiGateway {
  /** Idempotent: missing API, resources, methods, integration and invoke permission are created, then deployed. */
  publish(route: RestApiRoute): Promise<PublishedRoute>;
  /** Removes the route's resource (with its children) and the invoke permission, then deploys; absent is fine. */
  unpublish(route: Omit<RestApiRoute, 'functionArn'>): Promise<void>;
  close(): Promise<void>;
}
