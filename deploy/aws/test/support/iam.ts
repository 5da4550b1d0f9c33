import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Cfn } from './synth.js';

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, unknown>;
}

/** A statement with its resources rendered as text (`arn:aws:…:<Logical.Arn>`), by the role it applies to. */
export interface RoleStatement {
  role: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  condition?: Record<string, unknown>;
}

/** Every statement of every role in a template: inline policies and AWS::IAM::Policy resources alike. */
export function statementsByRole(json: Cfn): RoleStatement[] {
  const result: RoleStatement[] = [];
  const add = (role: string, statement: Statement) =>
    result.push({
      role,
      effect: statement.Effect,
      actions: list(statement.Action),
      notActions: list(statement.NotAction),
      resources: list(statement.Resource).map(render),
      condition: statement.Condition,
    });
  for (const [id, resource] of Object.entries(json.Resources as Record<string, Cfn>)) {
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of resource.Properties.Policies ?? []) {
        for (const statement of policy.PolicyDocument.Statement) add(id, statement);
      }
    }
    if (resource.Type === 'AWS::IAM::Policy') {
      for (const role of resource.Properties.Roles ?? []) {
        for (const statement of resource.Properties.PolicyDocument.Statement) add(role.Ref, statement);
      }
    }
  }
  return result;
}

/** An intrinsic as readable text: Refs and GetAtts as `<Id>` / `<Id.Attr>`, pseudo parameters by name. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) {
      const pseudo: Record<string, string> = {
        'AWS::Partition': 'aws',
        'AWS::Region': 'REGION',
        'AWS::AccountId': 'ACCOUNT',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudo[object.Ref as string] ?? `<${object.Ref}>`;
    }
    if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(separator);
    }
  }
  return JSON.stringify(value);
}

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The `XCommand` names a source file imports from the AWS SDK. */
export function sdkCommandsOf(repositoryFile: string): string[] {
  const path = fileURLToPath(new URL(`../../../../${repositoryFile}`, import.meta.url));
  const source = readFileSync(path, 'utf8');
  const commands = new Set<string>();
  for (const block of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/[a-z-]+'/g)) {
    for (const name of (block[1] ?? '').split(',')) {
      const trimmed = name.trim();
      if (/^[A-Z][A-Za-z0-9]*Command$/.test(trimmed)) commands.add(trimmed);
    }
  }
  return [...commands].sort();
}

/** The IAM actions an SDK command needs (the ones the adapters use). */
export const ACTIONS_OF_COMMAND: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  PutCommand: ['dynamodb:PutItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  QueryCommand: ['dynamodb:Query'],
  ScanCommand: ['dynamodb:Scan'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  CreateTableCommand: ['dynamodb:CreateTable'],
  DeleteTableCommand: ['dynamodb:DeleteTable'],
  DescribeTableCommand: ['dynamodb:DescribeTable'],
  HeadBucketCommand: ['s3:ListBucket'],
  HeadObjectCommand: ['s3:GetObject'],
  GetObjectCommand: ['s3:GetObject'],
  PutObjectCommand: ['s3:PutObject'],
  CopyObjectCommand: ['s3:GetObject', 's3:PutObject'],
  DeleteObjectCommand: ['s3:DeleteObject'],
  DeleteObjectsCommand: ['s3:DeleteObject'],
  ListObjectsV2Command: ['s3:ListBucket'],
  PutRolePolicyCommand: ['iam:PutRolePolicy'],
  DeleteRolePolicyCommand: ['iam:DeleteRolePolicy'],
  GetFunctionCommand: ['lambda:GetFunction', 'lambda:ListTags'],
  GetFunctionConfigurationCommand: ['lambda:GetFunctionConfiguration'],
  CreateFunctionCommand: ['lambda:CreateFunction', 'lambda:TagResource'],
  UpdateFunctionCodeCommand: ['lambda:UpdateFunctionCode'],
  UpdateFunctionConfigurationCommand: ['lambda:UpdateFunctionConfiguration'],
  DeleteFunctionCommand: ['lambda:DeleteFunction'],
  InvokeCommand: ['lambda:InvokeFunction'],
  AddPermissionCommand: ['lambda:AddPermission'],
  RemovePermissionCommand: ['lambda:RemovePermission'],
  GetRestApisCommand: ['apigateway:GET'],
  GetResourcesCommand: ['apigateway:GET'],
  CreateRestApiCommand: ['apigateway:POST'],
  CreateResourceCommand: ['apigateway:POST'],
  CreateDeploymentCommand: ['apigateway:POST'],
  PutMethodCommand: ['apigateway:PUT'],
  PutIntegrationCommand: ['apigateway:PUT'],
  DeleteResourceCommand: ['apigateway:DELETE'],
};
