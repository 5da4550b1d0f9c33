import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DATA_PRODUCT_FUNCTION_PREFIX } from './names.js';

/**
 * The IAM statements of each service, as functions of the ARNs they apply
 * to. Every `"Resource": "*"` below is one AWS allows nothing narrower for;
 * docs/deploy-aws.md lists each with its reason.
 */

const arn = (service: string, resource: string, region: string = Aws.REGION) =>
  `arn:${Aws.PARTITION}:${service}:${region}:${Aws.ACCOUNT_ID}:${resource}`;

/** The one ARN of a function, built from its name (no reference to the function: no dependency cycle). */
export function functionArnOf(name: string): string {
  return arn('lambda', `function:${name}`);
}

export function tableStatement(actions: readonly string[], tableArns: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    // Queries on a secondary index name the index's ARN.
    resources: tableArns.flatMap((tableArn) => [tableArn, `${tableArn}/index/*`]),
  });
}

/** The per-port event tables the event store creates and deletes: `<prefix>.<environment>.<domain>…`. */
export function eventTablesArn(prefix: string): string {
  return arn('dynamodb', `table/${prefix}.*`);
}

export const EVENT_TABLE_LIFECYCLE_ACTIONS = [
  'dynamodb:CreateTable',
  'dynamodb:DescribeTable',
  'dynamodb:DeleteTable',
] as const;

/** What the data plane does on a port's table (microservices/event-store/dynamo-event-stream-store.ts). */
export const EVENT_TABLE_ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * Objects in the data buckets. ListBucket also makes a missing key answer 404
 * instead of 403, which the adapters read as "absent".
 */
export function dataBucketStatements(buckets: readonly string[], objectActions: readonly string[]) {
  if (buckets.length === 0) return [];
  return [
    new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: buckets.map((bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}`),
    }),
    new iam.PolicyStatement({
      actions: [...objectActions],
      resources: buckets.map((bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}/*`),
    }),
  ];
}

/** Inline policies on the roles data products name, and only on roles under the configured path. */
export function roleGrantStatement(rolePath: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'],
    resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role${rolePath}*`],
  });
}

/** The asynchronous self-invocation that carries an accepted resource's work. */
export function selfInvokeStatement(functionName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['lambda:InvokeFunction'],
    resources: [functionArnOf(functionName)],
  });
}

export function logStatement(logGroupArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroupArn],
  });
}

/**
 * A function in a VPC reaches it through network interfaces Lambda creates
 * with the function's role. DescribeNetworkInterfaces has no resource-level
 * permission; AWS documents the whole set on `*` (AWSLambdaVPCAccessExecutionRole).
 */
export function vpcNetworkInterfaceStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}

/** Data products' functions: what AwsFunctionHost sends (GetFunction returns the owner tag only with ListTags). */
export const DATA_PRODUCT_FUNCTION_ACTIONS = [
  'lambda:GetFunction',
  'lambda:GetFunctionConfiguration',
  'lambda:ListTags',
  'lambda:CreateFunction',
  'lambda:TagResource',
  'lambda:UpdateFunctionCode',
  'lambda:UpdateFunctionConfiguration',
  'lambda:DeleteFunction',
] as const;
/** Publishing a route lets API Gateway invoke the function (AwsRestApiGateway → lambda-permissions.ts). */
export const ROUTE_PERMISSION_ACTIONS = ['lambda:AddPermission', 'lambda:RemovePermission'] as const;

export function dataProductFunctionStatement(actions: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [functionArnOf(`${DATA_PRODUCT_FUNCTION_PREFIX}*`)],
  });
}

/**
 * The platform's own functions share the `dmp-` prefix: no microservice may
 * touch them (reading one's configuration would show its service token).
 */
export function denyPlatformFunctionsStatement(functionNames: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['lambda:*'],
    resources: functionNames.map(functionArnOf),
  });
}

export function denyAllButInvokeStatement(functionName: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    notActions: ['lambda:InvokeFunction'],
    resources: [functionArnOf(functionName)],
  });
}

/** Creating a function with the one execution role of data products' functions, for Lambda only. */
export function passFunctionRoleStatement(roleArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: [roleArn],
    conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
  });
}

/** CreateFunction reads the artifact from S3 with the caller's permissions. */
export function artifactReadStatement(buckets: readonly string[]): iam.PolicyStatement[] {
  if (buckets.length === 0) return [];
  return [
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: buckets.map((bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}/*`),
    }),
  ];
}

/**
 * The REST API calls of AwsRestApiGateway. API Gateway names resources by
 * path and id, never by API name: `/restapis` (list, create) and the APIs
 * below it are as narrow as IAM goes; the platform's own API is denied.
 */
export function restApiStatements(): iam.PolicyStatement[] {
  const apis = `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis`;
  return [
    new iam.PolicyStatement({ actions: ['apigateway:GET'], resources: [apis, `${apis}/*`] }),
    new iam.PolicyStatement({
      actions: ['apigateway:POST'],
      resources: [apis, `${apis}/*/resources/*`, `${apis}/*/deployments`],
    }),
    new iam.PolicyStatement({
      actions: ['apigateway:PUT'],
      resources: [`${apis}/*/resources/*/methods/*`, `${apis}/*/resources/*/methods/*/integration`],
    }),
    new iam.PolicyStatement({ actions: ['apigateway:DELETE'], resources: [`${apis}/*/resources/*`] }),
  ];
}

export function denyPlatformApiStatement(restApiId: string): iam.PolicyStatement {
  const api = `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis/${restApiId}`;
  return new iam.PolicyStatement({
    effect: iam.Effect.DENY,
    actions: ['apigateway:*'],
    resources: [api, `${api}/*`],
  });
}

/** Logs of data products' functions, in the groups Lambda names after them. */
export function dataProductFunctionLogStatement(): iam.PolicyStatement {
  const groups = arn('logs', `log-group:/aws/lambda/${DATA_PRODUCT_FUNCTION_PREFIX}*`);
  return new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [groups, `${groups}:*`],
  });
}
