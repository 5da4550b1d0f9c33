import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates a pay-per-request table when missing; an existing table is left alone. */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { name: string; keyType: 'HASH' | 'RANGE'; type?: 'S' | 'N' }[],
): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((key) => ({
          AttributeName: key.name,
          AttributeType: key.type ?? 'S',
        })),
        KeySchema: keys.map((key) => ({ AttributeName: key.name, KeyType: key.keyType })),
      }),
    );
  } catch (error) {
    // Another process created it between our describe and create.
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
}
