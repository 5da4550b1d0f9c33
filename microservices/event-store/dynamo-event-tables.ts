import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  waitUntilTableExists,
  waitUntilTableNotExists,
} from '@aws-sdk/client-dynamodb';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import type { EventTables } from './event-tables.js';

/** EventTables on the DynamoDB control plane (AWS, or dynalite locally). */
export class DynamoEventTables implements EventTables {
  constructor(
    private readonly client: DynamoDBClient,
    /** How long to wait for a new table to become ACTIVE. */
    private readonly maxWaitSeconds = 300,
  ) {}

  async ensureTable(tableName: string): Promise<boolean> {
    let created = false;
    if (!(await this.exists(tableName))) {
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: tableName,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'aggregateId', AttributeType: 'S' },
              { AttributeName: 'sequence', AttributeType: 'N' },
            ],
            KeySchema: [
              { AttributeName: 'aggregateId', KeyType: 'HASH' },
              { AttributeName: 'sequence', KeyType: 'RANGE' },
            ],
          }),
        );
        created = true;
      } catch (error) {
        // A concurrent attempt created it between our describe and create: the same outcome.
        if (!isAwsError(error, 'ResourceInUseException')) throw error;
      }
    }
    // The SDK waiter polls DescribeTable with growing delays until the table is ACTIVE.
    await waitUntilTableExists(
      { client: this.client, minDelay: 1, maxDelay: 10, maxWaitTime: this.maxWaitSeconds },
      { TableName: tableName },
    );
    return created;
  }

  async deleteTable(tableName: string): Promise<void> {
    try {
      await this.client.send(new DeleteTableCommand({ TableName: tableName }));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return;
      throw error;
    }
    // DeleteTable answers while the table is still DELETING; a re-create before it is gone would fail.
    await waitUntilTableNotExists(
      { client: this.client, minDelay: 1, maxDelay: 10, maxWaitTime: this.maxWaitSeconds },
      { TableName: tableName },
    );
  }

  async exists(tableName: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeTableCommand({ TableName: tableName }));
      return true;
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return false;
      throw error;
    }
  }
}
