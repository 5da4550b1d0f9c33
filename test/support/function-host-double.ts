import type {
  FunctionDescription,
  FunctionHost,
  FunctionSpec,
  Invocation,
  InvokeGrant,
} from '../../microservices/lambda-runtime/function-host.js';
import type {
  PublishedRoute,
  RestApiGateway,
  RestApiRoute,
} from '../../microservices/lambda-runtime/rest-api-gateway.js';

/**
 * In-memory stand-ins for the Lambda runtime, for provisioner logic tests.
 * They keep the rules of the real services that the provisioners rely on:
 * creating an existing function or updating a missing one fails, code comes
 * only from artifacts that exist, and every call is logged in order.
 */
export class FunctionHostDouble implements FunctionHost {
  readonly artifactExtensions = ['.zip', '.js'] as const;
  readonly functions = new Map<string, FunctionSpec & { arn: string; codeDeployments: number }>();
  readonly grants = new Map<string, InvokeGrant[]>();
  readonly calls: string[] = [];

  /** `bucket/key` of every artifact that "exists". */
  constructor(readonly artifacts = new Set<string>()) {}

  /** A function made by someone else, as if it were there before dmp. */
  seed(spec: FunctionSpec): void {
    this.functions.set(spec.name, { ...spec, arn: arnOf(spec.name), codeDeployments: 1 });
  }

  async describe(name: string): Promise<FunctionDescription | undefined> {
    this.calls.push(`describe ${name}`);
    const fn = this.functions.get(name);
    return fn && describe(fn);
  }

  async create(spec: FunctionSpec): Promise<FunctionDescription> {
    this.calls.push(`create ${spec.name}`);
    if (this.functions.has(spec.name)) throw new Error(`ResourceConflictException: ${spec.name} exists`);
    this.requireArtifact(spec);
    const fn = { ...spec, arn: arnOf(spec.name), codeDeployments: 1 };
    this.functions.set(spec.name, fn);
    return describe(fn);
  }

  async updateConfiguration(spec: FunctionSpec): Promise<FunctionDescription> {
    this.calls.push(`updateConfiguration ${spec.name}`);
    const fn = this.existing(spec.name);
    Object.assign(fn, { ...spec, artifact: fn.artifact });
    return describe(fn);
  }

  async updateCode(spec: FunctionSpec): Promise<FunctionDescription> {
    this.calls.push(`updateCode ${spec.name}`);
    const fn = this.existing(spec.name);
    this.requireArtifact(spec);
    fn.artifact = spec.artifact;
    fn.codeDeployments += 1;
    return describe(fn);
  }

  async delete(name: string): Promise<boolean> {
    this.calls.push(`delete ${name}`);
    this.grants.delete(name);
    return this.functions.delete(name);
  }

  async invoke(name: string, event: unknown): Promise<Invocation> {
    const fn = this.existing(name);
    return { ok: true, payload: { function: fn.name, event } };
  }

  async allowInvoke(name: string, grant: InvokeGrant): Promise<void> {
    const grants = this.grants.get(name) ?? [];
    if (!grants.some((item) => item.statementId === grant.statementId)) grants.push(grant);
    this.grants.set(name, grants);
  }

  async revokeInvoke(name: string, statementId: string): Promise<void> {
    const grants = this.grants.get(name);
    if (grants)
      this.grants.set(
        name,
        grants.filter((item) => item.statementId !== statementId),
      );
  }

  async close(): Promise<void> {}

  private existing(name: string) {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`ResourceNotFoundException: ${name}`);
    return fn;
  }

  private requireArtifact(spec: FunctionSpec): void {
    const location = `${spec.artifact.bucket}/${spec.artifact.key}`;
    if (!this.artifacts.has(location)) throw new Error(`NoSuchKey: ${location}`);
  }
}

/** Routes by REST API name and path; publishing grants the function's invoke permission, as the real gateway does. */
export class RestApiGatewayDouble implements RestApiGateway {
  readonly routes = new Map<string, { restApi: string; path: string; functionName: string }>();
  readonly calls: string[] = [];
  private readonly apiIds = new Map<string, string>();

  constructor(private readonly functions: FunctionHostDouble) {}

  async publish(route: RestApiRoute): Promise<PublishedRoute> {
    const path = `/${route.pathParts.join('/')}`;
    this.calls.push(`publish ${route.restApi} ${path} -> ${route.functionName}`);
    if (!this.functions.functions.has(route.functionName)) {
      throw new Error(`no function ${route.functionName} to integrate`);
    }
    const restApiId = this.apiIdOf(route.restApi);
    this.routes.set(`${route.restApi}${path}`, {
      restApi: route.restApi,
      path,
      functionName: route.functionName,
    });
    await this.functions.allowInvoke(route.functionName, {
      statementId: statementIdOf(route.restApi, path),
      principal: 'apigateway.amazonaws.com',
      sourceArn: `arn:aws:execute-api:us-east-1:000000000000:${restApiId}/*/GET${path}`,
    });
    return { url: `http://gateway.test/${restApiId}/dmp${path}`, restApiId };
  }

  async unpublish(route: Omit<RestApiRoute, 'functionArn'>): Promise<void> {
    const path = `/${route.pathParts.join('/')}`;
    this.calls.push(`unpublish ${route.restApi} ${path}`);
    for (const key of [...this.routes.keys()]) {
      if (key === `${route.restApi}${path}` || key.startsWith(`${route.restApi}${path}/`))
        this.routes.delete(key);
    }
    await this.functions.revokeInvoke(route.functionName, statementIdOf(route.restApi, path));
  }

  async close(): Promise<void> {}

  private apiIdOf(restApi: string): string {
    const id = this.apiIds.get(restApi) ?? `api${this.apiIds.size + 1}`;
    this.apiIds.set(restApi, id);
    return id;
  }
}

function describe(fn: FunctionSpec & { arn: string }): FunctionDescription {
  return {
    name: fn.name,
    arn: fn.arn,
    owner: fn.owner === '' ? undefined : fn.owner,
    handler: fn.handler,
    environment: { ...fn.environment },
  };
}

function arnOf(name: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
}

function statementIdOf(restApi: string, path: string): string {
  return `dmp-${restApi}-${path}`;
}
