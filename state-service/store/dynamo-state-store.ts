import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type DataProductRef, dataProductKey } from '../../shared/descriptor/types.js';
import { ConflictError } from '../../shared/errors.js';
import type { DataProductRecord, ResourceRecord } from '../../shared/state/records.js';
import type { StateStore } from './state-store.js';
import type { StateTableNames } from './state-tables.js';

/** StateStore on DynamoDB: one item per data product, one item per resource, conditional puts. */
export class DynamoStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: StateTableNames,
  ) {}

  async getDataProduct(ref: DataProductRef): Promise<DataProductRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.dataProducts,
        Key: { id: dataProductKey(ref) },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const { id: _id, ...record } = Item;
    return record as DataProductRecord;
  }

  async getResource(ref: DataProductRef, name: string): Promise<ResourceRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.resources,
        Key: { dataProductId: dataProductKey(ref), name },
        ConsistentRead: true,
      }),
    );
    return Item ? fromResourceItem(Item) : undefined;
  }

  async listResources(ref: DataProductRef): Promise<ResourceRecord[]> {
    const records: ResourceRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.resources,
          KeyConditionExpression: 'dataProductId = :id',
          ExpressionAttributeValues: { ':id': dataProductKey(ref) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      records.push(...(page.Items ?? []).map(fromResourceItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  async putDataProduct(record: DataProductRecord, expectedRevision: number): Promise<void> {
    await this.conditionalPut(
      this.tables.dataProducts,
      { id: dataProductKey(record), ...record },
      'id',
      expectedRevision,
    );
  }

  async putResource(record: ResourceRecord, expectedRevision: number): Promise<void> {
    const item = { dataProductId: dataProductKey(record.dataProduct), ...record };
    await this.conditionalPut(this.tables.resources, item, 'dataProductId', expectedRevision);
  }

  private async conditionalPut(
    tableName: string,
    item: Record<string, unknown>,
    keyAttribute: string,
    expectedRevision: number,
  ): Promise<void> {
    const isNew = expectedRevision === 0;
    try {
      await this.client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: isNew ? 'attribute_not_exists(#key)' : '#revision = :revision',
          ExpressionAttributeNames: isNew ? { '#key': keyAttribute } : { '#revision': 'revision' },
          ExpressionAttributeValues: isNew ? undefined : { ':revision': expectedRevision },
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
        throw new ConflictError('the record was changed by another writer', {}, { cause: error });
      }
      throw error;
    }
  }
}

function fromResourceItem(item: Record<string, unknown>): ResourceRecord {
  const { dataProductId: _id, ...record } = item;
  return record as unknown as ResourceRecord;
}
