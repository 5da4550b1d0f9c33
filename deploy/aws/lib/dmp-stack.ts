import { Aws, CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DmpAlarms } from './alarms.js';
import { readLocalDiscoveryConfig, renderDiscoveryDocument } from './discovery.js';
import { DmpFargateService, type FargateServiceName } from './fargate-service.js';
import { DmpMicroservices, dataProductFunctionRole } from './microservices.js';
import { eventTablePrefixOf, type Microservice, namePrefix, SERVICE_TOKEN_KEYS } from './names.js';
import { DmpNetwork } from './network.js';
import {
  artifactReadStatement,
  DATA_PRODUCT_FUNCTION_ACTIONS,
  dataBucketStatements,
  dataProductFunctionStatement,
  EVENT_TABLE_ITEM_ACTIONS,
  EVENT_TABLE_LIFECYCLE_ACTIONS,
  eventTablesArn,
  passFunctionRoleStatement,
  ROUTE_PERMISSION_ACTIONS,
  restApiStatements,
  roleGrantStatement,
  tableStatement,
} from './policies.js';
import { ServiceTokens } from './service-tokens.js';
import type { DmpStackSettings } from './settings.js';
import { DmpTables, type ServiceRole } from './tables.js';

/** Where the image keeps the discovery file that takes its document from DMP_DISCOVERY_DOCUMENT. */
export const AWS_DISCOVERY_CONFIG = 'discovery-config/aws.yaml';

/**
 * The dmp platform of one environment: its tables, the provisioner, state
 * service and event-store data plane on Fargate behind an internal load
 * balancer, the four microservices on Lambda behind a token-authorised REST
 * API, one role per service, the platform's tokens in Secrets Manager, logs
 * with retention and alarms.
 */
export class DmpStack extends Stack {
  readonly settings: DmpStackSettings;
  readonly tables: DmpTables;
  readonly roles: Record<ServiceRole, iam.Role>;
  readonly microservices: DmpMicroservices;
  readonly fargate: Partial<Record<FargateServiceName, DmpFargateService>>;
  readonly tokens: ServiceTokens;

  constructor(scope: Construct, id: string, settings: DmpStackSettings, props: StackProps = {}) {
    super(scope, id, {
      description: `dmp data-mesh platform: environment ${settings.environment}`,
      ...props,
    });
    this.settings = settings;
    // The platform, its Lambda packages and its image are built for Node 20 (package.json engines); they move together.
    Validations.of(this).acknowledge({
      id: 'CloudFormation-Validate::W2531',
      reason: 'Node 20 is the platform runtime',
    });
    const env = settings.environment;
    const prefix = namePrefix(env);
    const retention = settings.logRetentionDays as logs.RetentionDays;
    const network = new DmpNetwork(this, 'Network', settings);
    this.tables = new DmpTables(this, 'Tables', env);
    const tokenTable = this.tables.byId.get('Tokens')?.table;
    if (!tokenTable) throw new Error('the token table is missing from DMP_TABLES');
    this.tokens = new ServiceTokens(this, 'PlatformTokens', {
      environment: env,
      tokenTable,
      logRetention: retention,
      generation: settings.secretsGeneration,
    });

    this.roles = this.createServiceRoles();
    const stateServiceUrl = network.urlOf('state-service');
    const dataPlaneOn = settings.fargate.eventStoreDataTasks > 0;
    const eventStoreUrl = dataPlaneOn ? network.urlOf('event-store-data') : undefined;
    const functionRole = dataProductFunctionRole(this, env);
    const eventStoreEnvironment = {
      DMP_IAM_MODE: 'aws',
      DMP_AWS_ACCOUNT_ID: Aws.ACCOUNT_ID,
      DMP_EVENT_STORE_TABLE_PREFIX: eventTablePrefixOf(env),
      ...(eventStoreUrl ? { DMP_EVENT_STORE_PUBLIC_URL: eventStoreUrl } : {}),
    };
    const lambdaRuntimeEnvironment = {
      DMP_LAMBDA_MODE: 'aws',
      DMP_LAMBDA_ROLE_ARN: functionRole.roleArn,
      DMP_AWS_ACCOUNT_ID: Aws.ACCOUNT_ID,
    };
    for (const service of ['observability', 'workload'] as const) {
      this.roles[service].addToPolicy(passFunctionRoleStatement(functionRole.roleArn));
    }

    this.microservices = new DmpMicroservices(this, 'Microservices', {
      settings,
      network,
      stateServiceUrl,
      roles: this.roles,
      tokens: {
        s3: this.tokens.secrets[SERVICE_TOKEN_KEYS.s3],
        'event-store': this.tokens.secrets[SERVICE_TOKEN_KEYS['event-store']],
        observability: this.tokens.secrets[SERVICE_TOKEN_KEYS.observability],
        workload: this.tokens.secrets[SERVICE_TOKEN_KEYS.workload],
      },
      environments: {
        s3: { DMP_IAM_MODE: 'aws', ...this.tables.environmentOf('s3') },
        'event-store': { ...eventStoreEnvironment, ...this.tables.environmentOf('event-store') },
        observability: { ...lambdaRuntimeEnvironment, ...this.tables.environmentOf('observability') },
        workload: { ...lambdaRuntimeEnvironment, ...this.tables.environmentOf('workload') },
      },
      logRetention: retention,
    });
    for (const service of ['observability', 'workload'] as const) {
      this.microservices.denyPlatformResources(service, this.roles[service]);
    }
    // The functions start once their tokens are real (a dynamic reference is read when the function is deployed).
    for (const fn of [
      ...Object.values(this.microservices.functions),
      this.microservices.authorizerFunction,
    ]) {
      fn.node.addDependency(this.tokens.ready);
    }

    const cluster = new ecs.Cluster(this, 'Cluster', {
      clusterName: prefix,
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.DISABLED,
    });
    const repository = ecr.Repository.fromRepositoryName(this, 'ImageRepository', settings.image.repository);
    const image = ecs.ContainerImage.fromEcrRepository(repository, settings.image.tag);
    const logGroups = {} as Record<FargateServiceName, logs.LogGroup>;
    for (const service of ['provisioner', 'state-service', 'event-store-data'] as const) {
      logGroups[service] = new logs.LogGroup(this, `${service}-logs`, {
        logGroupName: `/dmp/${env}/${service}`,
        retention,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    const discovery = renderDiscoveryDocument(
      readLocalDiscoveryConfig(),
      settings.discoveryTemplate,
      settings.descriptorEnvironments,
      (service: Microservice) => this.microservices.urlOf(service),
    );
    const common = {
      cluster,
      network,
      image,
      cpu: settings.fargate.cpu,
      memoryMiB: settings.fargate.memoryMiB,
    };
    const generation = { DMP_SECRETS_GENERATION: settings.secretsGeneration, AWS_REGION: Aws.REGION };
    this.fargate = {
      'state-service': new DmpFargateService(this, 'StateService', {
        ...common,
        service: 'state-service',
        desiredCount: settings.fargate.stateServiceTasks,
        taskRole: this.roles['state-service'],
        logGroup: logGroups['state-service'],
        // The stack owns the tables: the service never creates one.
        environment: {
          ...generation,
          DMP_CREATE_TABLES: 'false',
          ...this.tables.environmentOf('state-service'),
        },
      }),
      provisioner: new DmpFargateService(this, 'Provisioner', {
        ...common,
        service: 'provisioner',
        desiredCount: settings.fargate.provisionerTasks,
        taskRole: this.roles.provisioner,
        logGroup: logGroups.provisioner,
        environment: {
          ...generation,
          DMP_STATE_SERVICE_URL: stateServiceUrl,
          DMP_DISCOVERY_CONFIG: AWS_DISCOVERY_CONFIG,
          DMP_DISCOVERY_DOCUMENT: this.toJsonString(discovery),
        },
        secrets: {
          DMP_SERVICE_TOKEN: ecs.Secret.fromSecretsManager(
            this.tokens.secrets[SERVICE_TOKEN_KEYS.provisioner],
          ),
        },
      }),
    };
    if (dataPlaneOn) {
      this.fargate['event-store-data'] = new DmpFargateService(this, 'EventStoreData', {
        ...common,
        service: 'event-store-data',
        desiredCount: settings.fargate.eventStoreDataTasks,
        taskRole: this.roles['event-store-data'],
        logGroup: logGroups['event-store-data'],
        environment: {
          ...generation,
          DMP_STATE_SERVICE_URL: stateServiceUrl,
          ...eventStoreEnvironment,
          ...this.tables.environmentOf('event-store-data'),
        },
        secrets: {
          DMP_SERVICE_TOKEN: ecs.Secret.fromSecretsManager(
            this.tokens.secrets[SERVICE_TOKEN_KEYS['event-store']],
          ),
        },
      });
    }
    for (const service of Object.values(this.fargate)) service.service.node.addDependency(this.tokens.ready);

    const alarms = new DmpAlarms(this, 'Alarms', {
      environment: env,
      alarmEmail: settings.alarmEmail,
      fivexxPercent: settings.alarm5xxPercent,
      targetGroups: Object.fromEntries(
        Object.entries(this.fargate).map(([service, construct]) => [service, construct.targetGroup]),
      ),
      api: this.microservices.api,
      provisionerLogs: logGroups.provisioner,
    });

    new CfnOutput(this, 'ProvisionerUrl', {
      value: network.urlOf('provisioner'),
      description: 'The platform API (DMP_URL of the CLI), inside the VPC',
    });
    new CfnOutput(this, 'StateServiceUrl', { value: stateServiceUrl });
    if (eventStoreUrl) new CfnOutput(this, 'EventStoreUrl', { value: eventStoreUrl });
    new CfnOutput(this, 'MicroservicesApiUrl', { value: this.microservices.api.url });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: this.tokens.secrets.admin.secretArn,
      description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn });
    new CfnOutput(this, 'DataProductFunctionRoleArn', { value: functionRole.roleArn });
  }

  /** One role per service; the statements that need other resources are added where those are made. */
  private createServiceRoles(): Record<ServiceRole, iam.Role> {
    const { settings, tables } = this;
    const make = (service: ServiceRole, principal: string, description: string) =>
      new iam.Role(this, `${service}-role`, {
        assumedBy: new iam.ServicePrincipal(principal),
        description: `dmp ${settings.environment} ${service}: ${description}`,
      });
    const roles = {
      provisioner: make('provisioner', 'ecs-tasks.amazonaws.com', 'calls other services over HTTP only'),
      'state-service': make('state-service', 'ecs-tasks.amazonaws.com', 'its tables only'),
      'event-store-data': make('event-store-data', 'ecs-tasks.amazonaws.com', 'event tables and archives'),
      s3: make('s3', 'lambda.amazonaws.com', 'data buckets and grants on data roles'),
      'event-store': make('event-store', 'lambda.amazonaws.com', 'event tables and grants on data roles'),
      observability: make('observability', 'lambda.amazonaws.com', "data products' functions and APIs"),
      workload: make('workload', 'lambda.amazonaws.com', "data products' functions"),
      'token-bootstrap': this.tokens.role,
    } satisfies Record<ServiceRole, iam.Role>;
    for (const service of Object.keys(roles) as ServiceRole[]) {
      if (service === 'token-bootstrap') continue;
      for (const { table, actions } of tables.usedBy(service)) {
        roles[service].addToPolicy(tableStatement(actions, [table.tableArn]));
      }
    }
    const eventTables = eventTablesArn(eventTablePrefixOf(settings.environment));
    roles['event-store'].addToPolicy(tableStatement(EVENT_TABLE_LIFECYCLE_ACTIONS, [eventTables]));
    roles['event-store-data'].addToPolicy(
      tableStatement(['dynamodb:DescribeTable', ...EVENT_TABLE_ITEM_ACTIONS], [eventTables]),
    );
    for (const statement of dataBucketStatements(settings.dataBuckets, [
      's3:GetObject',
      's3:PutObject',
      's3:DeleteObject',
    ])) {
      roles.s3.addToPolicy(statement);
    }
    // On delete with removeData, a port's archive goes with it.
    for (const statement of dataBucketStatements(settings.dataBuckets, ['s3:DeleteObject'])) {
      roles['event-store'].addToPolicy(statement);
    }
    // Appending archives large events and commits; reading fetches them back.
    for (const statement of dataBucketStatements(settings.dataBuckets, ['s3:GetObject', 's3:PutObject'])) {
      roles['event-store-data'].addToPolicy(statement);
    }
    roles.s3.addToPolicy(roleGrantStatement(settings.grantableRolePath));
    roles['event-store'].addToPolicy(roleGrantStatement(settings.grantableRolePath));
    roles.observability.addToPolicy(
      dataProductFunctionStatement([...DATA_PRODUCT_FUNCTION_ACTIONS, ...ROUTE_PERMISSION_ACTIONS]),
    );
    for (const statement of restApiStatements()) roles.observability.addToPolicy(statement);
    roles.workload.addToPolicy(dataProductFunctionStatement(DATA_PRODUCT_FUNCTION_ACTIONS));
    for (const statement of artifactReadStatement(settings.artifactBuckets)) {
      roles.observability.addToPolicy(statement);
      roles.workload.addToPolicy(statement);
    }
    return roles;
  }
}
