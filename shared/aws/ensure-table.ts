import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
    await client.send(new DescribeTableCommand({ TableName: tableName }));
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
}
