import { type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../aws/aws-errors.js';
import { ensureTable, type TableDefinition } from '../aws/ensure-table.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { TokenRecord, TokenStore } from './token-store.js';

export const DEFAULT_TOKEN_TABLE = 'dmp-tokens';
export const TOKEN_TABLE_DEFINITION: TableDefinition = { keys: [{ name: 'id', keyType: 'HASH' }] };

/** TokenStore on DynamoDB (table dmp-tokens, key `id`); holds hashes only. */
export class DynamoTokenStore implements TokenStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_TOKEN_TABLE,
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_TOKEN_TABLE,
  ): Promise<DynamoTokenStore> {
    await ensureTable(client, tableName, TOKEN_TABLE_DEFINITION.keys);
    return new DynamoTokenStore(client, tableName);
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }),
    );
    return Item as TokenRecord | undefined;
  }

  async create(record: TokenRecord): Promise<void> {
    await this.put(record, 'attribute_not_exists(id)', () => new ConflictError(`token ${record.id} exists`));
  }

  async update(record: TokenRecord): Promise<void> {
    await this.put(record, 'attribute_exists(id)', () => new NotFoundError(`token ${record.id} is unknown`));
  }

  async list(): Promise<TokenRecord[]> {
    const records: TokenRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }),
      );
      records.push(...((page.Items ?? []) as TokenRecord[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  private async put(record: TokenRecord, condition: string, onConflict: () => Error): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: condition }),
      );
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) throw onConflict();
      throw error;
    }
  }
}
