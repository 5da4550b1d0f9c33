import { IAMClient } from '@aws-sdk/client-iam';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { IamRoleGrants } from '../../shared/iam/iam-role-grants.js';
import { LocalRoleGrants } from '../../shared/iam/local-role-grants.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import { DynamoFolderOwnership } from '../../shared/storage/dynamo-folder-ownership.js';
import { S3FolderStore } from './s3-folder-store.js';
import { S3Provisioner } from './s3-provisioner.js';
import type { S3ServiceConfig } from './s3-service-config.js';

/** Builds the S3 provisioner with the adapters the configuration asks for. */
export async function createS3Provisioner(config: S3ServiceConfig): Promise<S3Provisioner> {
  const folders = new S3FolderStore(createS3Client({ s3Endpoint: config.s3Endpoint, region: config.region }));
  const dynamo = createDynamoDocumentClient({
    dynamoDbEndpoint: config.dynamoDbEndpoint,
    region: config.region,
  });
  return new S3Provisioner(
    folders,
    await createRoleGrants(config, dynamo),
    await DynamoFolderOwnership.create(dynamo, config.storage.ownerTable),
    config.storage.placement,
  );
}

async function createRoleGrants(
  config: S3ServiceConfig,
  dynamo: DynamoDBDocumentClient,
): Promise<RoleGrants> {
  if (config.iamMode === 'local') return LocalRoleGrants.create(dynamo, config.localIamTable);
  return new IamRoleGrants(new IAMClient(config.region ? { region: config.region } : {}));
}
