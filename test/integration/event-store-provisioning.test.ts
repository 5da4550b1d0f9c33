import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteRolePolicyCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoEventStreamStore } from '../../microservices/event-store/dynamo-event-stream-store.js';
import { DynamoEventTables } from '../../microservices/event-store/dynamo-event-tables.js';
import { DynamoPortRegistry } from '../../microservices/event-store/dynamo-port-registry.js';
import { eventStoreAccessPolicy } from '../../microservices/event-store/event-store-access-policies.js';
import { EventStoreProvisioner } from '../../microservices/event-store/event-store-provisioner.js';
import { EventStreams } from '../../microservices/event-store/event-streams.js';
import { eventStorePolicyName, eventTableName } from '../../microservices/event-store/port-identity.js';
import { S3EventArchive } from '../../microservices/event-store/s3-event-archive.js';
import { IamRoleGrants } from '../../shared/iam/iam-role-grants.js';
import { DynamoFolderOwnership } from '../../shared/storage/dynamo-folder-ownership.js';
import { folderOwnerOf } from '../../shared/storage/folder-ownership.js';
import { DEFAULT_STORAGE_PLACEMENT } from '../../shared/storage/storage-placement.js';
import {
  ARCHIVE_BUCKET,
  archivingPort,
  DATA_PRODUCT,
  envelope,
  eventPort,
  resourceRequest,
  s3Folder,
} from '../support/event-store-fixtures.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';

const iam = mockClient(IAMClient);
const SCOPE = { partition: 'aws', region: 'eu-north-1', accountId: '123456789012' };
const identity = { ...DATA_PRODUCT, port: 'order_events' };
const TABLE = eventTableName('dmp-events', identity);
const ARN = `arn:aws:dynamodb:eu-north-1:123456789012:table/${TABLE}`;
const POLICY = eventStorePolicyName(identity);

let stack: TestStack;
let registry: DynamoPortRegistry;
let tables: DynamoEventTables;
let provisioner: EventStoreProvisioner;
let streams: EventStreams;
let ownership: DynamoFolderOwnership;
/** Where the S3 resource `orders_raw` (s3Folder()) really is, and the port's archive inside it. */
const FOLDER = 'test/sales/orders';
const ARCHIVE = `${FOLDER}/events/order_events/v1`;
const provider = folderOwnerOf(DATA_PRODUCT, 'orders_raw');

/** The IAM commands sent so far, in order, as [command, input]. */
function iamCommands() {
  return iam.calls().map((call) => {
    const command = call.args[0] as unknown as {
      constructor: { name: string };
      input: Record<string, unknown>;
    };
    const input = { ...command.input };
    if (typeof input.PolicyDocument === 'string') input.PolicyDocument = JSON.parse(input.PolicyDocument);
    return [command.constructor.name, input];
  });
}

const put = (role: string, access: 'read-write' | 'read-only') => [
  PutRolePolicyCommand.name,
  { RoleName: role, PolicyName: POLICY, PolicyDocument: eventStoreAccessPolicy(ARN, access) },
];
const remove = (role: string) => [DeleteRolePolicyCommand.name, { RoleName: role, PolicyName: POLICY }];

async function archiveKeys(prefix: string): Promise<string[]> {
  const page = await stack.s3.send(new ListObjectsV2Command({ Bucket: ARCHIVE_BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '');
}

beforeAll(async () => {
  stack = await startTestStack();
  registry = await DynamoPortRegistry.create(stack.dynamo, 'event-store-ports-test');
  tables = new DynamoEventTables(stack.dynamo as unknown as DynamoDBClient);
  const archive = new S3EventArchive(stack.s3);
  ownership = await DynamoFolderOwnership.create(stack.dynamo, 'storage-owners-test');
  // As the S3 microservice leaves it once orders_raw is CREATED (the port depends on it).
  await ownership.claim(ARCHIVE_BUCKET, FOLDER, provider);
  provisioner = new EventStoreProvisioner(
    tables,
    new IamRoleGrants(new IAMClient({ region: 'eu-north-1' })),
    registry,
    archive,
    ownership,
    {
      tablePrefix: 'dmp-events',
      arnScope: SCOPE,
      publicUrl: 'http://127.0.0.1:8092',
      placement: DEFAULT_STORAGE_PLACEMENT,
    },
  );
  streams = new EventStreams(new DynamoEventStreamStore(stack.dynamo), archive);
});

beforeEach(() => {
  iam.reset();
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(DeleteRolePolicyCommand).resolves({});
});

afterAll(async () => {
  await stack.close();
  removeDir(stack.dataDir);
});

describe('EventStoreProvisioner', () => {
  const port = archivingPort('orders/events');
  const create = () => resourceRequest(port, [s3Folder()]);

  it('creates the table (aggregateId + sequence, ACTIVE), grants owner and readers, and opens the port', async () => {
    const info = await provisioner.create(create(), null);
    const { Table } = await stack.dynamo.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'aggregateId', KeyType: 'HASH' },
      { AttributeName: 'sequence', KeyType: 'RANGE' },
    ]);
    expect(iamCommands()).toEqual([put('sales-reader', 'read-only'), put('sales-owner', 'read-write')]);
    expect(await registry.get(TABLE, '1.0.0')).toEqual(
      expect.objectContaining({
        owner: 'sales-owner',
        allow: ['sales-reader'],
        archive: { bucket: ARCHIVE_BUCKET, prefix: ARCHIVE },
      }),
    );
    expect(info).toEqual({
      table: TABLE,
      tableArn: ARN,
      endpoint: 'http://127.0.0.1:8092/v1/events/test/sales/orders/1.0.0/order_events/{aggregateId}',
      archiveUri: `s3://${ARCHIVE_BUCKET}/${ARCHIVE}/`,
    });
  });

  it('changes nothing when run again: the same grants, the same table and its events', async () => {
    const record = await registry.get(TABLE, '1.0.0');
    if (!record) throw new Error('the port should be provisioned');
    await streams.append(record, 'order-1', { expectedVersion: 'no_stream', events: [envelope('e1')] });
    iam.resetHistory();
    await provisioner.create(create(), port);
    expect(iamCommands()).toEqual([put('sales-reader', 'read-only'), put('sales-owner', 'read-write')]);
    expect((await streams.read(record, 'order-1', 1, 10)).events).toHaveLength(1);
  });

  it('replaces the grants on PUT: new readers granted, removed readers revoked', async () => {
    const updated = { ...port, allow: ['analytics-reader'] };
    await provisioner.update(resourceRequest(updated, [s3Folder()]), port);
    expect(iamCommands()).toEqual([
      put('analytics-reader', 'read-only'),
      put('sales-owner', 'read-write'),
      remove('sales-reader'),
    ]);
    expect((await registry.get(TABLE, '1.0.0'))?.allow).toEqual(['analytics-reader']);
  });

  it('on DELETE revokes every grant, closes the port, and keeps the table and the archive', async () => {
    const current = { ...port, allow: ['analytics-reader'] };
    await provisioner.remove(resourceRequest(current, [s3Folder()]), current);
    expect(iamCommands()).toEqual([remove('sales-owner'), remove('analytics-reader')]);
    expect(await registry.get(TABLE, '1.0.0')).toBeUndefined();
    expect(await tables.exists(TABLE)).toBe(true);
    expect(await archiveKeys(`${ARCHIVE}/events/`)).toHaveLength(1);
  });

  it('with removeData also deletes the table and the archived events', async () => {
    await provisioner.create(create(), null);
    iam.resetHistory();
    await provisioner.remove(resourceRequest(port, [s3Folder()], { removeData: true }), port);
    expect(iamCommands()).toEqual([remove('sales-owner'), remove('sales-reader')]);
    expect(await tables.exists(TABLE)).toBe(false);
    expect(await archiveKeys(`${ARCHIVE}/`)).toEqual([]);
  });

  it('with removeData never deletes an archive in a folder its S3 dependency does not hold', async () => {
    const record = await provisioner.create(create(), null).then(() => registry.get(TABLE, '1.0.0'));
    if (!record) throw new Error('the port should be provisioned');
    await streams.append(record, 'order-2', { expectedVersion: 'no_stream', events: [envelope('e2')] });
    // The folder changes hands (its S3 resource deleted, another data product of the domain claims it).
    const other = folderOwnerOf({ ...DATA_PRODUCT, name: 'returns' }, 'returns_raw');
    await ownership.release(ARCHIVE_BUCKET, FOLDER, provider);
    await ownership.claim(ARCHIVE_BUCKET, FOLDER, other);
    try {
      await provisioner.remove(resourceRequest(port, [s3Folder()], { removeData: true }), port);
      expect(await tables.exists(TABLE)).toBe(false);
      expect(await archiveKeys(`${ARCHIVE}/`)).toHaveLength(1);
      // Nobody's folder (released, or made before folder ownership): kept too.
      await ownership.release(ARCHIVE_BUCKET, FOLDER, other);
      await provisioner.create(create(), null);
      await provisioner.remove(resourceRequest(port, [s3Folder()], { removeData: true }), port);
      expect(await archiveKeys(`${ARCHIVE}/`)).toHaveLength(1);
    } finally {
      await ownership.release(ARCHIVE_BUCKET, FOLDER, other);
      await ownership.claim(ARCHIVE_BUCKET, FOLDER, provider);
    }
  });

  it('keeps a table another version of the same MAJOR still uses, even with removeData', async () => {
    const plain = eventPort();
    await provisioner.create(resourceRequest(plain, [], { version: '1.0.0' }), null);
    await provisioner.create(resourceRequest(plain, [], { version: '1.1.0' }), null);
    const newer = eventStorePolicyName({ ...identity, version: '1.1.0' });
    expect(newer).not.toBe(POLICY);
    iam.resetHistory();
    await provisioner.remove(resourceRequest(plain, [], { version: '1.0.0', removeData: true }), plain);
    expect(iamCommands()).toEqual([remove('sales-owner'), remove('sales-reader')]);
    expect(await tables.exists(TABLE)).toBe(true);
    expect(await registry.get(TABLE, '1.1.0')).toBeDefined();
    await provisioner.remove(resourceRequest(plain, [], { version: '1.1.0', removeData: true }), plain);
    expect(await tables.exists(TABLE)).toBe(false);
  });

  it('fails the work, granting nothing, when IAM refuses an unknown role', async () => {
    iam
      .on(PutRolePolicyCommand)
      .rejects(Object.assign(new Error('no role'), { name: 'NoSuchEntityException' }));
    await expect(provisioner.create(create(), null)).rejects.toThrow('IAM role sales-reader does not exist');
    expect(await registry.get(TABLE, '1.0.0')).toBeUndefined();
  });
});
