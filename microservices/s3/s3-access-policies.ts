import { createHash } from 'node:crypto';
import type { DataProductRef } from '../../shared/descriptor/types.js';
import type { AccessLevel } from '../../shared/iam/access-diff.js';
import type { PolicyDocument } from '../../shared/iam/role-grants.js';

const READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion'];
const WRITE_ACTIONS = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];

/**
 * The inline policy that gives a role access to exactly the resource's
 * prefixes: objects under each prefix, and listing the bucket restricted to
 * those prefixes.
 */
export function s3AccessPolicy(
  bucket: string,
  directories: readonly string[],
  access: AccessLevel,
): PolicyDocument {
  const actions = access === 'read-write' ? [...READ_ACTIONS, ...WRITE_ACTIONS] : READ_ACTIONS;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ObjectAccess',
        Effect: 'Allow',
        Action: actions,
        Resource: directories.map((directory) => `arn:aws:s3:::${bucket}/${directory}/*`),
      },
      {
        Sid: 'ListPrefix',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: {
          StringLike: {
            's3:prefix': directories.flatMap((directory) => [`${directory}/`, `${directory}/*`]),
          },
        },
      },
    ],
  };
}

/**
 * One policy name per resource, the same on every run (so granting twice
 * replaces, never duplicates); readable, and within IAM's 128 characters.
 */
export function s3PolicyName(ref: DataProductRef, resourceName: string): string {
  const identity = [ref.environment, ref.domain, ref.name, ref.version, resourceName].join('/');
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  const readable = `${ref.domain}.${ref.name}.${resourceName}`.slice(0, 100);
  return `dmp-s3.${readable}.${hash}`;
}
