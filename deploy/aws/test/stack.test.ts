import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Discovery } from '../../../provisioner/discovery/discovery.js';
import { isServiceName } from '../../../shared/service-entries.js';
import { NOT_COMPLETED_METRIC, NOT_COMPLETED_PATTERN } from '../lib/alarms.js';
import { REPOSITORY_ROOT } from '../lib/bundled-function.js';
import { LOCAL_DISCOVERY_CONFIG } from '../lib/discovery.js';
import { AWS_DISCOVERY_CONFIG } from '../lib/dmp-stack.js';
import { SERVICE_COMMANDS } from '../lib/fargate-service.js';
import { MICROSERVICES_STAGE } from '../lib/microservices.js';
import { functionNameOf, MICROSERVICES, STACK_TOKEN_KEYS, tableNameOf } from '../lib/names.js';
import { DMP_TABLES } from '../lib/tables.js';
import { render } from './support/iam.js';
import { type Cfn, resourcesOf, type Synthesized, synthStack } from './support/synth.js';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthStack();
});

describe('tables', () => {
  it('has exactly the tables of DMP_TABLES, each with the keys and indexes the code defines', () => {
    const tables = resourcesOf(synthesized.json, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(DMP_TABLES.length);
    for (const spec of DMP_TABLES) {
      const found = tables.find(
        ([, table]) => table.Properties.TableName === tableNameOf('test', spec.defaultName),
      );
      expect(found, spec.defaultName).toBeDefined();
      const properties = found?.[1].Properties;
      expect(properties.KeySchema).toEqual(
        spec.definition.keys.map((key) => ({ AttributeName: key.name, KeyType: key.keyType })),
      );
      const indexes = spec.definition.indexes ?? [];
      expect(properties.GlobalSecondaryIndexes ?? []).toEqual(
        indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: index.keys.map((key) => ({ AttributeName: key.name, KeyType: key.keyType })),
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      const attributes = [...spec.definition.keys, ...indexes.flatMap((index) => index.keys)];
      expect(
        [...properties.AttributeDefinitions].sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      ).toEqual(
        [...new Map(attributes.map((key) => [key.name, key.type ?? 'S'])).entries()]
          .map(([name, type]) => ({ AttributeName: name, AttributeType: type }))
          .sort((a, b) => a.AttributeName.localeCompare(b.AttributeName)),
      );
    }
  });

  it('bills every table on demand, with point-in-time recovery and deletion protection, and keeps it when the stack goes', () => {
    for (const [id, table] of resourcesOf(synthesized.json, 'AWS::DynamoDB::Table')) {
      expect(table.Properties.BillingMode, id).toBe('PAY_PER_REQUEST');
      expect(table.Properties.PointInTimeRecoverySpecification, id).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      expect(table.Properties.DeletionProtectionEnabled, id).toBe(true);
      expect(table.DeletionPolicy, id).toBe('Retain');
      // No adapter writes an expiry attribute DynamoDB could act on.
      expect(table.Properties.TimeToLiveSpecification, id).toBeUndefined();
    }
  });

  it('tells the state service its tables and that it must not create any', () => {
    const [, task] = taskOf('state-service');
    const environment = environmentOf(task);
    expect(environment.DMP_CREATE_TABLES).toBe('false');
    for (const spec of DMP_TABLES.filter((table) => table.users['state-service'])) {
      expect(environment[spec.nameVariable]).toMatch(/^<Tables[A-Za-z]+[0-9A-F]{8}>$/);
    }
  });
});

describe('microservices on Lambda', () => {
  it('deploys each microservice from its own zip, with the handler and runtime the packages are built for', () => {
    const assets = JSON.parse(readFileSync(join(synthesized.outdir, 'dmp-test.assets.json'), 'utf8'));
    for (const service of MICROSERVICES) {
      const [, fn] = functionOf(functionNameOf('test', service));
      expect(fn.Properties.Handler).toBe('index.handler');
      expect(fn.Properties.Runtime).toBe('nodejs20.x');
      const key = render(fn.Properties.Code.S3Key);
      const hash = key.replace(/\.zip$/, '');
      const asset = assets.files[hash];
      expect(asset?.source?.packaging, service).toBe('file');
      const bytes = readFileSync(join(synthesized.outdir, asset.source.path), 'utf8');
      expect(bytes).toBe(synthesized.zips[service]);
    }
  });

  it('runs them in the VPC, so they reach the state service behind the internal load balancer', () => {
    for (const service of MICROSERVICES) {
      const [, fn] = functionOf(functionNameOf('test', service));
      expect(fn.Properties.VpcConfig.SubnetIds.length).toBeGreaterThanOrEqual(2);
      expect(render(fn.Properties.Environment.Variables.DMP_STATE_SERVICE_URL)).toMatch(
        /^http:\/\/<NetworkLoadBalancer[0-9A-F]+\.DNSName>:8081$/,
      );
    }
  });

  it('puts every method of the API behind the token authorizer, none open', () => {
    const methods = resourcesOf(synthesized.json, 'AWS::ApiGateway::Method');
    expect(methods.length).toBeGreaterThanOrEqual(MICROSERVICES.length);
    for (const [id, method] of methods) {
      expect(method.Properties.AuthorizationType, id).toBe('CUSTOM');
      expect(method.Properties.AuthorizerId, id).toBeDefined();
    }
    synthesized.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
    });
  });

  it('lets API Gateway invoke each function only from its own methods', () => {
    for (const service of MICROSERVICES) {
      const [id] = functionOf(functionNameOf('test', service));
      const permissions = resourcesOf(synthesized.json, 'AWS::Lambda::Permission').filter(
        ([, permission]) => render(permission.Properties.FunctionName) === `<${id}.Arn>`,
      );
      expect(permissions.length, service).toBeGreaterThan(0);
      for (const [, permission] of permissions) {
        expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
        expect(render(permission.Properties.SourceArn)).toMatch(new RegExp(`/\\*/${service}/\\*$`));
      }
    }
  });
});

describe('services on Fargate', () => {
  it('runs the provisioner and the state service with at least two tasks each, behind load balancer health checks on /healthz', () => {
    for (const service of ['provisioner', 'state-service', 'event-store-data'] as const) {
      const [taskId, task] = taskOf(service);
      const [, ecsService] = resourcesOf(synthesized.json, 'AWS::ECS::Service').find(
        ([, candidate]) => render(candidate.Properties.TaskDefinition) === `<${taskId}>`,
      ) ?? [undefined, undefined];
      expect(ecsService, service).toBeDefined();
      expect(ecsService.Properties.DesiredCount).toBeGreaterThanOrEqual(2);
      expect(ecsService.Properties.LaunchType).toBe('FARGATE');
      expect(ecsService.Properties.DeploymentConfiguration).toMatchObject({
        MinimumHealthyPercent: 100,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      });
      const [{ TargetGroupArn }] = ecsService.Properties.LoadBalancers;
      const groupId = render(TargetGroupArn).replace(/^<|>$/g, '');
      const group = synthesized.json.Resources[groupId];
      expect(group.Properties.HealthCheckPath).toBe('/healthz');
      expect(group.Properties.Matcher).toEqual({ HttpCode: '200' });
      const container = task.Properties.ContainerDefinitions[0];
      expect(container.Command).toEqual(SERVICE_COMMANDS[service]);
      // The image's entry point (node dist/dmp-service.js) takes one service name as its command.
      expect(container.Command).toHaveLength(1);
      expect(isServiceName(container.Command[0])).toBe(true);
      expect(container.HealthCheck.Command.join(' ')).toContain('/healthz');
      expect(container.ReadonlyRootFilesystem).toBe(true);
    }
  });

  it('keeps the load balancer internal', () => {
    synthesized.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
    });
    synthesized.template.resourcePropertiesCountIs(
      'AWS::EC2::SecurityGroup',
      { SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0' })]) },
      0,
    );
  });

  it('gives the provisioner the discovery document of its environment, which the provisioner itself reads back', () => {
    const [, task] = taskOf('provisioner');
    const environment = environmentOf(task);
    expect(environment.DMP_DISCOVERY_CONFIG).toBe(AWS_DISCOVERY_CONFIG);
    const document = environment.DMP_DISCOVERY_DOCUMENT as string;
    const file = join(REPOSITORY_ROOT, AWS_DISCOVERY_CONFIG);
    const discovery = Discovery.load(file, 1_000, {
      DMP_DISCOVERY_DOCUMENT: document.replaceAll(/[<>]/g, ''),
    });
    expect(discovery.environments()).toEqual(['test']);
    const local = Discovery.load(LOCAL_DISCOVERY_CONFIG, 1_000, {});
    expect(discovery.technologiesIn('test')?.sort()).toEqual(local.technologiesIn('production')?.sort());
    const api = `https://MicroservicesApi`;
    expect(discovery.endpointFor('test', 's3')?.url).toMatch(
      new RegExp(
        `^${api}[0-9A-F]+\\.execute-api\\.REGION\\.amazonaws\\.com/MicroservicesApiDeploymentStage${MICROSERVICES_STAGE}[0-9A-F]+/s3$`,
      ),
    );
    expect(discovery.endpointFor('test', 'aws-lambda', 'workload')?.url).toMatch(/\/workload$/);
    expect(discovery.endpointFor('test', 'aws-lambda', 'observability')?.url).toMatch(/\/observability$/);
    expect(discovery.endpointFor('test', 'event-store')?.url).toMatch(/\/event-store$/);
    expect(discovery.endpointFor('test', 's3')?.timeoutMs).toBe(
      local.endpointFor('production', 's3')?.timeoutMs,
    );
  });
});

describe('secrets', () => {
  it('keeps no token and no secret value in the template: secrets are generated, tokens issued at deploy', () => {
    expect(synthesized.text).not.toMatch(/dmp_[a-f0-9]{32}_/);
    expect(synthesized.text).not.toMatch(/dmp_/);
    const secrets = resourcesOf(synthesized.json, 'AWS::SecretsManager::Secret');
    expect(secrets).toHaveLength(STACK_TOKEN_KEYS.length);
    for (const [id, secret] of secrets) {
      expect(secret.Properties.SecretString, id).toBeUndefined();
      expect(secret.Properties.GenerateSecretString, id).toBeDefined();
    }
    // No SecretString property anywhere; the value selector appears only in dynamic references,
    // which CloudFormation resolves at deploy time.
    const compact = JSON.stringify(synthesized.json);
    expect(compact).not.toContain('"SecretString"');
    const selectors = [...compact.matchAll(/:SecretString:/g)].length;
    const references = [
      ...compact.matchAll(
        /"\{\{resolve:secretsmanager:",\{"Ref":"PlatformTokensToken[A-Za-z0-9]+"\},":SecretString:::\}\}"/g,
      ),
    ].length;
    expect(selectors).toBe(references);
    expect(references).toBe(MICROSERVICES.length);
  });

  it('publishes the ARN of the admin token, never its value', () => {
    const outputs = synthesized.json.Outputs as Record<string, { Value: unknown }>;
    expect(render(outputs.AdminTokenSecretArn?.Value)).toMatch(/^<PlatformTokensTokenadmin[0-9A-F]+>$/);
    for (const [name, output] of Object.entries(outputs)) {
      expect(JSON.stringify(output.Value), name).not.toMatch(
        /resolve:secretsmanager|SecretString|GetSecretValue/,
      );
    }
  });

  it('starts no service before the token bootstrap filled the secrets', () => {
    const [bootstrapId] = resourcesOf(synthesized.json, 'Custom::DmpPlatformTokens')[0] ?? [];
    expect(bootstrapId).toBeDefined();
    const dependents = [
      ...resourcesOf(synthesized.json, 'AWS::ECS::Service'),
      ...resourcesOf(synthesized.json, 'AWS::Lambda::Function').filter(
        ([, fn]) => !render(fn.Properties.FunctionName).endsWith('token-bootstrap'),
      ),
    ];
    for (const [id, resource] of dependents) expect(resource.DependsOn, id).toContain(bootstrapId);
  });

  it('hands each service its own token: the provisioner and event-store tasks by ECS secrets, the functions by reference', () => {
    const secretOf = (key: string) =>
      `<${synthesized.stack.getLogicalId(synthesized.stack.tokens.secrets[key as 'admin'].node.defaultChild as never)}>`;
    expect(render(taskOf('provisioner')[1].Properties.ContainerDefinitions[0].Secrets[0].ValueFrom)).toBe(
      secretOf('provisioner'),
    );
    expect(
      render(taskOf('event-store-data')[1].Properties.ContainerDefinitions[0].Secrets[0].ValueFrom),
    ).toBe(secretOf('eventStore'));
    expect(taskOf('state-service')[1].Properties.ContainerDefinitions[0].Secrets).toBeUndefined();
    const keys = {
      s3: 's3',
      'event-store': 'eventStore',
      observability: 'observability',
      workload: 'workload',
    };
    for (const service of MICROSERVICES) {
      const [, fn] = functionOf(functionNameOf('test', service));
      expect(render(fn.Properties.Environment.Variables.DMP_SERVICE_TOKEN)).toBe(
        `{{resolve:secretsmanager:${secretOf(keys[service])}:SecretString:::}}`,
      );
    }
  });
});

describe('logs and alarms', () => {
  it('gives every log group a retention', () => {
    const groups = resourcesOf(synthesized.json, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(9);
    for (const [id, group] of groups) expect(group.Properties.RetentionInDays, id).toBe(30);
  });

  it('alarms on the 5xx rate of each Fargate service and of the microservices API', () => {
    const alarms = resourcesOf(synthesized.json, 'AWS::CloudWatch::Alarm').map(
      ([, alarm]) => alarm.Properties,
    );
    const names = alarms.map((alarm) => alarm.AlarmName).sort();
    expect(names).toEqual(
      [
        'dmp-test-event-store-data-5xx-rate',
        'dmp-test-microservices-api-5xx-rate',
        'dmp-test-operations-not-completed',
        'dmp-test-provisioner-5xx-rate',
        'dmp-test-state-service-5xx-rate',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toHaveLength(1);
  });

  it("counts operations ending NOT_COMPLETED from the provisioner's log", () => {
    const [[, filter]] = resourcesOf(synthesized.json, 'AWS::Logs::MetricFilter');
    expect(filter.Properties.FilterPattern).toBe(NOT_COMPLETED_PATTERN.logPatternString);
    expect(filter.Properties.MetricTransformations).toEqual([
      { MetricName: NOT_COMPLETED_METRIC, MetricNamespace: 'dmp/test', MetricValue: '1' },
    ]);
    expect(render(filter.Properties.LogGroupName)).toMatch(/^<provisionerlogs[0-9A-F]+>$/);
  });
});

describe('settings', () => {
  it('leaves the event-store data plane out when it gets no tasks', () => {
    const small = synthStack({ defaults: { fargate: { eventStoreDataTasks: 0 } } }, 'small');
    expect(resourcesOf(small.json, 'AWS::ECS::Service')).toHaveLength(2);
    const [, fn] = resourcesOf(small.json, 'AWS::Lambda::Function').find(
      ([, candidate]) => candidate.Properties.FunctionName === functionNameOf('small', 'event-store'),
    ) ?? [undefined, undefined];
    expect(fn.Properties.Environment.Variables.DMP_EVENT_STORE_PUBLIC_URL).toBeUndefined();
  });
});

function functionOf(name: string): [string, Cfn] {
  const found = resourcesOf(synthesized.json, 'AWS::Lambda::Function').find(
    ([, fn]) => fn.Properties.FunctionName === name,
  );
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

function taskOf(service: keyof typeof SERVICE_COMMANDS): [string, Cfn] {
  const found = resourcesOf(synthesized.json, 'AWS::ECS::TaskDefinition').find(
    ([, task]) =>
      (task.Properties.ContainerDefinitions[0].Command as string[]).join(' ') ===
      SERVICE_COMMANDS[service].join(' '),
  );
  if (!found) throw new Error(`no task of ${service}`);
  return found;
}

function environmentOf(task: Cfn): Record<string, string> {
  return Object.fromEntries(
    (task.Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[]).map(
      (variable) => [variable.Name, render(variable.Value)],
    ),
  );
}
