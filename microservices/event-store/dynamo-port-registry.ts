import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTable, type TableDefinition } from '../../shared/aws/ensure-table.js';
import type { PortRecord, PortRegistry } from './port-registry.js';

export const DEFAULT_PORT_REGISTRY_TABLE = 'dmp-event-store-ports';
export const PORT_REGISTRY_TABLE_DEFINITION: TableDefinition = {
  keys: [
    { name: 'tableName', keyType: 'HASH' },
    { name: 'version', keyType: 'RANGE' },
  ],
};

/** PortRegistry in a DynamoDB table keyed (tableName, version); every read is consistent. */
export class DynamoPortRegistry implements PortRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_PORT_REGISTRY_TABLE,
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_PORT_REGISTRY_TABLE,
  ): Promise<DynamoPortRegistry> {
    await ensureTable(client, tableName, PORT_REGISTRY_TABLE_DEFINITION.keys);
    return new DynamoPortRegistry(client, tableName);
  }

  async put(record: PortRecord): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: record }));
  }

  async get(tableName: string, version: string): Promise<PortRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { tableName, version }, ConsistentRead: true }),
    );
    return Item as PortRecord | undefined;
  }

  async remove(tableName: string, version: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { tableName, version } }));
  }

  async versionsOf(tableName: string): Promise<string[]> {
    const versions: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'tableName = :table',
          ExpressionAttributeValues: { ':table': tableName },
          ProjectionExpression: '#version',
          ExpressionAttributeNames: { '#version': 'version' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      versions.push(...(page.Items ?? []).map((item) => item.version as string));
      start = page.LastEvaluatedKey;
    } while (start);
    return versions;
  }
}
