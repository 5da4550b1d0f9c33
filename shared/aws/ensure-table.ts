import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isAwsError } from './aws-errors.js';

export interface KeyAttribute {
  name: string;
  keyType: 'HASH' | 'RANGE';
  type?: 'S' | 'N';
}

export interface SecondaryIndex {
  indexName: string;
  keys: KeyAttribute[];
}

/**
 * A table as the code defines it: its key and global secondary indexes (each
 * projecting ALL), billed per request. `ensureTable` creates it locally; the
 * AWS stack (deploy/aws) imports the same definition.
 */
export interface TableDefinition {
  keys: KeyAttribute[];
  indexes?: SecondaryIndex[];
}

/** Creates a pay-per-request table when missing; an existing table is left alone. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: KeyAttribute[],
  indexes: SecondaryIndex[] = [],
): Promise<void> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!isActive(Table)) await waitUntilActive(client, tableName);
    return;
  } catch (error) {
    if (!isAwsError(error, 'ResourceNotFoundException')) throw error;
  }
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [...keys, ...indexes.flatMap((index) => index.keys)])
    attributes.set(key.name, key.type ?? 'S');
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map(([name, type]) => ({
          AttributeName: name,
          AttributeType: type,
        })),
        KeySchema: keys.map((key) => ({ AttributeName: key.name, KeyType: key.keyType })),
        GlobalSecondaryIndexes:
          indexes.length === 0
            ? undefined
            : indexes.map((index) => ({
                IndexName: index.indexName,
                KeySchema: index.keys.map((key) => ({ AttributeName: key.name, KeyType: key.keyType })),
                Projection: { ProjectionType: 'ALL' },
              })),
      }),
    );
  } catch (error) {
    // Another process created it between our describe and create.
    if (!isAwsError(error, 'ResourceInUseException')) throw error;
  }
  // A table (and its indexes) answers reads and writes only once ACTIVE: seconds on AWS, a tick on dynalite.
  await waitUntilActive(client, tableName);
}

type DescribedTable = NonNullable<DescribeTableCommandOutput['Table']>;

function isActive(table: DescribedTable | undefined): boolean {
  return (
    table?.TableStatus === 'ACTIVE' &&
    (table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')
  );
}

/** Asks until the table and its indexes are ACTIVE (25 ms, doubling to 1 s), for at most five minutes. */
async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + 300_000;
  for (let pause = 25; ; pause = Math.min(pause * 2, 1_000)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (isActive(Table)) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} is not ACTIVE after five minutes`);
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
