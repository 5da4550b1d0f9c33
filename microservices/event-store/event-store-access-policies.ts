import type { AccessLevel } from '../../shared/iam/access-diff.js';
import type { PolicyDocument } from '../../shared/iam/role-grants.js';

/** Reading a stream: the head, a page of commits, a commit by key. */
const READ_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
];
/** Appending: the conditional commit put, the id index, and clearing a commit's pending flag. */
const APPEND_ACTIONS = ['dynamodb:PutItem', 'dynamodb:BatchWriteItem', 'dynamodb:UpdateItem'];

/** Where the table ARN's account and region come from; `*` when not configured. */
export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

export function eventTableArn(tableName: string, scope: ArnScope): string {
  return `arn:${scope.partition}:dynamodb:${scope.region}:${scope.accountId}:table/${tableName}`;
}

/**
 * The inline policy of one role on one port's table: the owner appends and
 * reads, every `allow` role reads. No DeleteItem for anyone: the stream is
 * append-only.
 */
export function eventStoreAccessPolicy(tableArn: string, access: AccessLevel): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: access === 'read-write' ? 'AppendAndReadEvents' : 'ReadEvents',
        Effect: 'Allow',
        Action: access === 'read-write' ? [...READ_ACTIONS, ...APPEND_ACTIONS] : READ_ACTIONS,
        Resource: [tableArn],
      },
    ],
  };
}
