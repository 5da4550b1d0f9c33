import type { CfnElement } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { functionNameOf, MICROSERVICES } from '../lib/names.js';
import type { ServiceRole } from '../lib/tables.js';
import { ACTIONS_OF_COMMAND, type RoleStatement, sdkCommandsOf, statementsByRole } from './support/iam.js';
import { resourcesOf, type Synthesized, synthStack } from './support/synth.js';

/**
 * The only `"Resource": "*"` grants, each for actions AWS authorizes on no
 * narrower resource (docs/deploy-aws.md lists the reasons).
 */
const STAR_RESOURCE_ACTIONS = new Set([
  // ECS pulls the image: GetAuthorizationToken has no resource-level permission.
  'ecr:GetAuthorizationToken',
  // Lambda creates a VPC function's network interfaces with its role (AWSLambdaVPCAccessExecutionRole).
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
]);

let synthesized: Synthesized;
let statements: RoleStatement[];
let roleIds: Record<string, string>;

beforeAll(() => {
  synthesized = synthStack();
  statements = statementsByRole(synthesized.json);
  const { stack } = synthesized;
  const idOf = (role: iam.IRole) => stack.getLogicalId(role.node.defaultChild as CfnElement);
  roleIds = Object.fromEntries(Object.entries(stack.roles).map(([service, role]) => [service, idOf(role)]));
  roleIds['api-authorizer'] = idOf(stack.microservices.authorizerRole);
  const functionRole = stack.node.findChild('DataProductFunctionRole') as iam.Role;
  roleIds['data-product-functions'] = idOf(functionRole);
  for (const [service, construct] of Object.entries(stack.fargate)) {
    roleIds[`${service}-execution`] = idOf(construct.taskDefinition.executionRole as iam.IRole);
  }
});

const of = (role: string) => statements.filter((statement) => statement.role === roleIds[role]);
const allowed = (role: string) => of(role).filter((statement) => statement.effect === 'Allow');
const actionsOf = (role: string) => new Set(allowed(role).flatMap((statement) => statement.actions));

describe('every role', () => {
  it('is one the stack means to have: no role escapes the checks below', () => {
    const known = new Set(Object.values(roleIds));
    for (const [id] of resourcesOf(synthesized.json, 'AWS::IAM::Role')) expect(known, id).toContain(id);
  });

  it('carries no managed policy, whose statements the template would not show', () => {
    for (const [id, role] of resourcesOf(synthesized.json, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it('allows no "*" action, no service-wide action and no NotAction', () => {
    for (const statement of statements.filter((candidate) => candidate.effect === 'Allow')) {
      expect(statement.notActions, statement.role).toEqual([]);
      for (const action of statement.actions) {
        expect(action, statement.role).not.toBe('*');
        expect(action, statement.role).not.toMatch(/:\*$/);
      }
    }
  });

  it('allows "*" resources only for the actions AWS scopes no narrower', () => {
    for (const statement of statements.filter((candidate) => candidate.effect === 'Allow')) {
      if (!statement.resources.includes('*')) continue;
      for (const action of statement.actions) expect(STAR_RESOURCE_ACTIONS, statement.role).toContain(action);
    }
  });
});

describe('each service', () => {
  it('the provisioner may do nothing on AWS: it calls the other services over HTTP', () => {
    expect(of('provisioner')).toEqual([]);
  });

  it('the state service may use its tables, and nothing else', () => {
    const tables = ['DataProductState', 'ResourceState', 'StateHistory', 'Tokens'];
    for (const statement of allowed('state-service')) {
      for (const action of statement.actions) expect(action).toMatch(/^dynamodb:/);
      for (const resource of statement.resources) {
        expect(resource).toMatch(new RegExp(`^<Tables(${tables.join('|')})[0-9A-F]{8}\\.Arn>(/index/\\*)?$`));
      }
    }
    expect(actionsOf('state-service')).not.toContain('dynamodb:CreateTable');
  });

  it('the S3 microservice may touch only the data buckets and inline policies of roles under the path', () => {
    for (const statement of allowed('s3')) {
      for (const resource of statement.resources) {
        if (statement.actions.some((action) => action.startsWith('s3:'))) {
          expect(resource).toMatch(/^arn:aws:s3:::(dmp-datamesh-s3|ms-datamesh-s3)(\/\*)?$/);
        }
        if (statement.actions.some((action) => action.startsWith('iam:'))) {
          expect(statement.actions.sort()).toEqual([
            'iam:DeleteRolePolicy',
            'iam:GetRolePolicy',
            'iam:PutRolePolicy',
          ]);
          expect(resource).toBe('arn:aws:iam::ACCOUNT:role/dmp-data/*');
        }
      }
    }
  });

  it('the event store may create and delete only its own event tables, and grant only on roles under the path', () => {
    for (const statement of allowed('event-store')) {
      if (statement.actions.includes('dynamodb:CreateTable')) {
        expect(statement.resources).toEqual([
          'arn:aws:dynamodb:REGION:ACCOUNT:table/dmp-test-events.*',
          'arn:aws:dynamodb:REGION:ACCOUNT:table/dmp-test-events.*/index/*',
        ]);
      }
      if (statement.actions.some((action) => action.startsWith('iam:'))) {
        expect(statement.resources).toEqual(['arn:aws:iam::ACCOUNT:role/dmp-data/*']);
      }
    }
  });

  it('observability and workload may manage only dmp- functions, pass only their one execution role, and never touch the platform', () => {
    for (const service of ['observability', 'workload'] as const) {
      for (const statement of allowed(service)) {
        const lambdaActions = statement.actions.filter((action) => action.startsWith('lambda:'));
        if (
          lambdaActions.length > 0 &&
          !lambdaActions.every((action) => action === 'lambda:InvokeFunction')
        ) {
          expect(statement.resources).toEqual(['arn:aws:lambda:REGION:ACCOUNT:function:dmp-*']);
        }
        if (statement.actions.includes('iam:PassRole')) {
          expect(statement.resources).toEqual([`<${roleIds['data-product-functions']}.Arn>`]);
          expect(statement.condition).toEqual({
            StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' },
          });
        }
        for (const action of statement.actions)
          expect(action).toMatch(/^(lambda|apigateway|iam:PassRole|s3:GetObject|logs|ec2):?/);
      }
      const denied = of(service).filter((statement) => statement.effect === 'Deny');
      const deniedResources = denied.flatMap((statement) => statement.resources);
      for (const platform of [...MICROSERVICES, 'api-authorizer', 'token-bootstrap'] as const) {
        expect(deniedResources, `${service} on ${platform}`).toContain(
          `arn:aws:lambda:REGION:ACCOUNT:function:${functionNameOf('test', platform)}`,
        );
      }
      expect(
        deniedResources.some((resource) =>
          /^arn:aws:apigateway:REGION::\/restapis\/<MicroservicesApi/.test(resource),
        ),
      ).toBe(true);
    }
    expect([...actionsOf('workload')].filter((action) => action.startsWith('apigateway:'))).toEqual([]);
  });

  it('each microservice may invoke itself, and its guard does not deny it', () => {
    for (const service of MICROSERVICES) {
      const own = `arn:aws:lambda:REGION:ACCOUNT:function:${functionNameOf('test', service)}`;
      const grants = allowed(service).filter(
        (statement) =>
          statement.actions.includes('lambda:InvokeFunction') && statement.resources.includes(own),
      );
      expect(grants, service).toHaveLength(1);
      for (const deny of of(service).filter((statement) => statement.effect === 'Deny')) {
        if (!deny.resources.includes(own)) continue;
        const deniesInvoke =
          deny.actions.some((action) => action === 'lambda:*' || action === 'lambda:InvokeFunction') ||
          (deny.notActions.length > 0 && !deny.notActions.includes('lambda:InvokeFunction'));
        expect(deniesInvoke, `${service} denies its own invocation`).toBe(false);
      }
    }
  });

  it('the token bootstrap may read and write only the token table and the token secrets', () => {
    const secrets = Object.values(synthesized.stack.tokens.secrets).map(
      (secret) => `<${synthesized.stack.getLogicalId(secret.node.defaultChild as CfnElement)}>`,
    );
    for (const statement of allowed('token-bootstrap')) {
      if (statement.actions.some((action) => action.startsWith('secretsmanager:'))) {
        expect(statement.actions.sort()).toEqual([
          'secretsmanager:GetSecretValue',
          'secretsmanager:PutSecretValue',
        ]);
        expect(statement.resources.sort()).toEqual(secrets.sort());
      }
      if (statement.actions.some((action) => action.startsWith('dynamodb:'))) {
        expect(statement.actions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
        for (const resource of statement.resources)
          expect(resource).toMatch(/^<TablesTokens[0-9A-F]{8}\.Arn>/);
      }
    }
  });

  it('ECS reads each task only its own token', () => {
    const secretOf = (key: string) =>
      `<${synthesized.stack.getLogicalId(synthesized.stack.tokens.secrets[key as 'admin'].node.defaultChild as CfnElement)}>`;
    const read = (role: string) =>
      allowed(role).filter((statement) => statement.actions.includes('secretsmanager:GetSecretValue'));
    expect(read('provisioner-execution').flatMap((statement) => statement.resources)).toEqual([
      secretOf('provisioner'),
    ]);
    expect(read('event-store-data-execution').flatMap((statement) => statement.resources)).toEqual([
      secretOf('eventStore'),
    ]);
    expect(read('state-service-execution')).toEqual([]);
  });
});

/**
 * What each service's code sends, read from its adapters' imports, must be
 * granted: a command added to an adapter without its grant fails here, not
 * on AWS.
 */
describe('grants cover what the code sends', () => {
  const sends: Record<string, { files: string[]; alsoNeeds?: string[]; notOnAws?: Record<string, string> }> =
    {
      'state-service': {
        files: ['state-service/store/dynamo-state-store.ts', 'shared/auth/dynamo-token-store.ts'],
      },
      s3: {
        files: [
          'microservices/s3/s3-folder-store.ts',
          'shared/aws/s3-prefix.ts',
          'shared/iam/iam-role-grants.ts',
        ],
      },
      'event-store': {
        files: [
          'microservices/event-store/dynamo-event-tables.ts',
          'microservices/event-store/dynamo-port-registry.ts',
          'shared/aws/s3-prefix.ts',
          'shared/iam/iam-role-grants.ts',
        ],
        // DynamoPortRegistry.create asks whether its table exists.
        alsoNeeds: ['dynamodb:DescribeTable'],
      },
      'event-store-data': {
        files: [
          'microservices/event-store/dynamo-event-stream-store.ts',
          'microservices/event-store/dynamo-port-registry.ts',
          'microservices/event-store/s3-event-archive.ts',
        ],
      },
      observability: {
        files: [
          'microservices/lambda-runtime/aws-function-host.ts',
          'microservices/lambda-runtime/lambda-permissions.ts',
          'microservices/lambda-runtime/aws-rest-api-gateway.ts',
        ],
        alsoNeeds: ['iam:PassRole'],
        notOnAws: { InvokeCommand: 'FunctionHost.invoke has no caller among the microservices' },
      },
      workload: {
        files: ['microservices/lambda-runtime/aws-function-host.ts'],
        alsoNeeds: ['iam:PassRole'],
        notOnAws: { InvokeCommand: 'FunctionHost.invoke has no caller among the microservices' },
      },
    };
  for (const [service, { files, alsoNeeds = [], notOnAws = {} }] of Object.entries(sends)) {
    it(`${service}: every AWS command of its adapters is allowed`, () => {
      const commands = files.flatMap(sdkCommandsOf).filter((command) => !(command in notOnAws));
      expect(commands.length).toBeGreaterThan(0);
      const needed = new Set([
        ...commands.flatMap((command) => {
          const actions = ACTIONS_OF_COMMAND[command];
          if (!actions)
            throw new Error(`${command} (in ${files.join(', ')}) has no IAM action in ACTIONS_OF_COMMAND`);
          return actions;
        }),
        ...alsoNeeds,
      ]);
      const granted = actionsOf(service as ServiceRole);
      for (const action of needed) expect(granted, `${service} needs ${action}`).toContain(action);
    });
  }
});
