import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { bundledFunction } from './bundled-function.js';
import { functionNameOf, MICROSERVICES, type Microservice, namePrefix } from './names.js';
import type { DmpNetwork } from './network.js';
import {
  dataProductFunctionLogStatement,
  denyAllButInvokeStatement,
  denyPlatformApiStatement,
  denyPlatformFunctionsStatement,
  logStatement,
  selfInvokeStatement,
  vpcNetworkInterfaceStatement,
} from './policies.js';
import type { DmpStackSettings } from './settings.js';

/** The stage of the microservices' REST API: discovery URLs are `<api>/<stage>/<microservice>`. */
export const MICROSERVICES_STAGE = 'api';

export interface MicroservicesProps {
  settings: DmpStackSettings;
  network: DmpNetwork;
  stateServiceUrl: string;
  /** Each microservice's role, with its own statements already added. */
  roles: Record<Microservice, iam.Role>;
  environments: Record<Microservice, Record<string, string>>;
  tokens: Record<Microservice, secretsmanager.ISecret>;
  logRetention: logs.RetentionDays;
}

/**
 * The four microservices as Lambda functions from their zips, in the VPC (they
 * report to the state service behind the internal load balancer), behind one
 * REST API whose every method goes through the token authorizer.
 */
export class DmpMicroservices extends Construct {
  readonly functions: Record<Microservice, lambda.Function>;
  readonly api: apigateway.RestApi;
  readonly authorizerFunction: lambda.Function;
  readonly authorizerRole: iam.Role;
  readonly logGroups: Record<Microservice, logs.LogGroup>;
  private readonly environment: string;

  constructor(scope: Construct, id: string, props: MicroservicesProps) {
    super(scope, id);
    const { settings, network } = props;
    this.environment = settings.environment;
    const placement = {
      vpc: network.vpc,
      securityGroups: [network.functionSecurityGroup],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    };
    // Relative to deploy/aws, wherever synth runs from.
    const assetDir = resolve(fileURLToPath(new URL('..', import.meta.url)), settings.lambdaAssetDir);
    this.logGroups = {} as Record<Microservice, logs.LogGroup>;
    this.functions = {} as Record<Microservice, lambda.Function>;
    for (const service of MICROSERVICES) {
      const functionName = functionNameOf(settings.environment, service);
      const logGroup = new logs.LogGroup(this, `${service}-logs`, {
        logGroupName: `/aws/lambda/${functionName}`,
        retention: props.logRetention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const role = props.roles[service];
      role.addToPolicy(logStatement(logGroup.logGroupArn));
      role.addToPolicy(vpcNetworkInterfaceStatement());
      role.addToPolicy(selfInvokeStatement(functionName));
      this.logGroups[service] = logGroup;
      const zip = join(assetDir, `${service}.zip`);
      if (!existsSync(zip)) {
        throw new Error(
          `${zip} is missing: run npm run build && npm run package:lambda at the repository root first`,
        );
      }
      this.functions[service] = new lambda.Function(this, service, {
        functionName,
        description: `dmp ${settings.environment}: the ${service} microservice`,
        code: lambda.Code.fromAsset(zip),
        handler: settings.lambdaHandler,
        runtime: lambda.Runtime.NODEJS_20_X,
        architecture: lambda.Architecture.X86_64,
        memorySize: settings.lambda.memoryMb,
        timeout: Duration.seconds(settings.lambda.timeoutSeconds),
        role,
        logGroup,
        ...placement,
        environment: {
          NODE_OPTIONS: '--enable-source-maps',
          DMP_STATE_SERVICE_URL: props.stateServiceUrl,
          // Resolved by CloudFormation at deploy time: the template holds the reference only.
          DMP_SERVICE_TOKEN: props.tokens[service].secretValue.unsafeUnwrap(),
          DMP_SECRETS_GENERATION: settings.secretsGeneration,
          ...props.environments[service],
        },
      });
    }

    const authorizerName = functionNameOf(settings.environment, 'api-authorizer');
    const authorizerLogs = new logs.LogGroup(this, 'authorizer-logs', {
      logGroupName: `/aws/lambda/${authorizerName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.authorizerRole = new iam.Role(this, 'AuthorizerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'dmp API authorizer: asks the state service about a bearer token',
    });
    this.authorizerRole.addToPolicy(logStatement(authorizerLogs.logGroupArn));
    this.authorizerRole.addToPolicy(vpcNetworkInterfaceStatement());
    this.authorizerFunction = bundledFunction(this, 'Authorizer', {
      functionName: authorizerName,
      entry: 'api-authorizer.ts',
      role: this.authorizerRole,
      logGroup: authorizerLogs,
      timeout: Duration.seconds(10),
      environment: { DMP_STATE_SERVICE_URL: props.stateServiceUrl },
      ...placement,
    });
    const authorizer = new apigateway.TokenAuthorizer(this, 'TokenAuthorizer', {
      authorizerName: `${namePrefix(settings.environment)}-tokens`,
      handler: this.authorizerFunction,
      identitySource: apigateway.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.seconds(60),
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `${namePrefix(settings.environment)}-microservices`,
      description: `dmp ${settings.environment}: the microservices' contract, for the provisioner's token only`,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: false,
      deployOptions: { stageName: MICROSERVICES_STAGE, metricsEnabled: true },
      defaultMethodOptions: { authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM },
    });
    for (const service of MICROSERVICES) {
      const integration = new apigateway.LambdaIntegration(this.functions[service], { proxy: true });
      const base = this.api.root.addResource(service);
      base.addProxy({ defaultIntegration: integration, anyMethod: true });
    }
  }

  /** The URL the discovery config gives for a microservice. */
  urlOf(service: Microservice): string {
    return `${this.api.url}${service}`;
  }

  /**
   * Keeps the microservices that deploy functions and APIs off the platform's
   * own: a separate policy (not the role's default one) so the functions,
   * which the API depends on, do not depend on it.
   */
  denyPlatformResources(service: Microservice, role: iam.Role): void {
    const own = functionNameOf(this.environment, service);
    const others = [
      ...MICROSERVICES.map((name) => functionNameOf(this.environment, name)),
      functionNameOf(this.environment, 'api-authorizer'),
      functionNameOf(this.environment, 'token-bootstrap'),
    ].filter((name) => name !== own);
    new iam.Policy(this, `${service}-platform-guard`, {
      roles: [role],
      statements: [
        denyPlatformFunctionsStatement(others),
        // Its own function: it invokes itself for the work, and nothing else.
        denyAllButInvokeStatement(own),
        denyPlatformApiStatement(this.api.restApiId),
      ],
    });
  }
}

/** The one execution role of every data product function the workload and observability microservices deploy. */
export function dataProductFunctionRole(scope: Construct, environment: string): iam.Role {
  const role = new iam.Role(scope, 'DataProductFunctionRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `dmp ${environment}: execution role of data products' functions (logs only)`,
  });
  role.addToPolicy(dataProductFunctionLogStatement());
  return role;
}
