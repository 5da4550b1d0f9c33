import { IAMClient } from '@aws-sdk/client-iam';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Router } from 'express';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { IamRoleGrants } from '../../shared/iam/iam-role-grants.js';
import { LocalRoleGrants } from '../../shared/iam/local-role-grants.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import { DynamoFolderOwnership } from '../../shared/storage/dynamo-folder-ownership.js';
import { DynamoEventStreamStore } from './dynamo-event-stream-store.js';
import { DynamoEventTables } from './dynamo-event-tables.js';
import { DynamoPortRegistry } from './dynamo-port-registry.js';
import { EventStoreProvisioner } from './event-store-provisioner.js';
import type { EventStoreServiceConfig } from './event-store-service-config.js';
import { EventStreams } from './event-streams.js';
import { createEventsRouter } from './events-router.js';
import { S3EventArchive } from './s3-event-archive.js';

export interface EventStoreParts {
  provisioner: EventStoreProvisioner;
  eventsRouter: Router;
}

/** Builds the provisioner and the data plane with the adapters the configuration asks for. */
export async function createEventStoreParts(
  config: EventStoreServiceConfig,
  overrides: { grants?: RoleGrants; publicUrl?: () => string } = {},
): Promise<EventStoreParts> {
  const endpoints = {
    dynamoDbEndpoint: config.dynamoDbEndpoint,
    s3Endpoint: config.s3Endpoint,
    region: config.region,
  };
  const dynamo = createDynamoDocumentClient(endpoints);
  const archive = new S3EventArchive(createS3Client(endpoints));
  const registry = await DynamoPortRegistry.create(dynamo, config.registryTable);
  const provisioner = new EventStoreProvisioner(
    new DynamoEventTables(dynamo),
    overrides.grants ?? (await createRoleGrants(config, dynamo)),
    registry,
    archive,
    await DynamoFolderOwnership.create(dynamo, config.storage.ownerTable),
    {
      tablePrefix: config.tablePrefix,
      placement: config.storage.placement,
      publicUrl: config.publicUrl ?? overrides.publicUrl ?? `http://${config.host}:${config.port}`,
      arnScope: { partition: 'aws', region: config.region ?? '*', accountId: config.awsAccountId },
    },
  );
  const streams = new EventStreams(new DynamoEventStreamStore(dynamo), archive, {
    maxAttempts: config.appendAttempts,
  });
  const eventsRouter = createEventsRouter({
    streams,
    registry,
    tablePrefix: config.tablePrefix,
    bodyLimitBytes: config.bodyLimitBytes,
  });
  return { provisioner, eventsRouter };
}

async function createRoleGrants(
  config: EventStoreServiceConfig,
  dynamo: DynamoDBDocumentClient,
): Promise<RoleGrants> {
  if (config.iamMode === 'local') return LocalRoleGrants.create(dynamo, config.localIamTable);
  return new IamRoleGrants(new IAMClient(config.region ? { region: config.region } : {}));
}
