import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { type DataProductRef, dataProductKey } from '../../shared/descriptor/types.js';
import { ConflictError, ValidationError } from '../../shared/errors.js';
import type {
  DataProductRecord,
  HistoryEntry,
  OperationLease,
  ResourceHeartbeat,
  ResourceRecord,
} from '../../shared/state/records.js';
import type { DataProductFilter, LeaseCondition, Page, StateStore } from './state-store.js';
import { STATE_INDEX, type StateTableNames } from './state-tables.js';

const LEASE_SUFFIX = '#lease';
const HEARTBEAT_SUFFIX = '#heartbeat';

/**
 * StateStore on DynamoDB. Table dmp-dataproduct-state holds one state item per
 * data product (and its lease item, key suffixed `#lease`); dmp-resource-state
 * one item per resource (and its heartbeat item, `#heartbeat`); dmp-state-history
 * the transitions, one item per batch of them, keyed by data product and the
 * batch's first sequence number. No transactions: one conditional write per
 * item, so the same code runs on dynalite and on AWS.
 */
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
    return Item ? fromDataProductItem(Item) : undefined;
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

  async listResources(ref: DataProductRef) {
    const records: ResourceRecord[] = [];
    const heartbeats = new Map<string, ResourceHeartbeat>();
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
      for (const item of page.Items ?? []) {
        const name = item.name as string;
        if (name.endsWith(HEARTBEAT_SUFFIX)) {
          heartbeats.set(name.slice(0, -HEARTBEAT_SUFFIX.length), {
            operationId: item.operationId,
            attempt: item.attempt,
            at: item.at,
          });
        } else {
          records.push(fromResourceItem(item));
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { records, heartbeats };
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

  async latestHistory(ref: DataProductRef): Promise<HistoryEntry | undefined> {
    return (await this.latestHistoryItem(ref)).at(-1);
  }

  async latestHistoryItem(ref: DataProductRef): Promise<HistoryEntry[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.history,
        KeyConditionExpression: 'dataProductId = :id',
        ExpressionAttributeValues: { ':id': dataProductKey(ref) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items[0] ? entriesOf(Items[0]) : [];
  }

  async appendHistory(ref: DataProductRef, entries: readonly HistoryEntry[]): Promise<void> {
    const first = entries[0];
    if (!first) return;
    try {
      // Every writer appends right after a head it read consistently (or wrote itself), so whoever wrote
      // since then took exactly this key: the condition on it alone decides, without transactions.
      await this.client.send(
        new PutCommand({
          TableName: this.tables.history,
          Item: { dataProductId: dataProductKey(ref), seq: first.seq, entries },
          ConditionExpression: 'attribute_not_exists(seq)',
        }),
      );
    } catch (error) {
      throw asConflict(error, `history entry ${first.seq} was written by another writer`);
    }
  }

  async readHistory(ref: DataProductRef, afterSeq: number, limit: number): Promise<HistoryEntry[]> {
    const id = dataProductKey(ref);
    // The item holding afterSeq may hold later entries too: it is keyed by its first.
    const straddling =
      afterSeq > 0
        ? this.client.send(
            new QueryCommand({
              TableName: this.tables.history,
              KeyConditionExpression: 'dataProductId = :id AND seq <= :after',
              ExpressionAttributeValues: { ':id': id, ':after': afterSeq },
              ScanIndexForward: false,
              Limit: 1,
              ConsistentRead: true,
            }),
          )
        : undefined;
    const entries: HistoryEntry[] = [];
    const keep = (items: Record<string, unknown>[] | undefined) => {
      for (const item of items ?? []) {
        for (const entry of entriesOf(item)) if (entry.seq > afterSeq) entries.push(entry);
      }
    };
    keep((await straddling)?.Items);
    let startKey: Record<string, unknown> | undefined;
    while (entries.length < limit) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.history,
          KeyConditionExpression: 'dataProductId = :id AND seq > :after',
          ExpressionAttributeValues: { ':id': id, ':after': afterSeq },
          ConsistentRead: true,
          // Every item holds at least one entry: this many items are enough.
          Limit: limit - entries.length,
          ExclusiveStartKey: startKey,
        }),
      );
      keep(page.Items);
      startKey = page.LastEvaluatedKey;
      if (!startKey) break;
    }
    return entries.slice(0, limit);
  }

  async getLease(ref: DataProductRef): Promise<OperationLease | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables.dataProducts,
        Key: { id: `${dataProductKey(ref)}${LEASE_SUFFIX}` },
        ConsistentRead: true,
      }),
    );
    return Item ? { operationId: Item.operationId, owner: Item.owner, expiresAt: Item.expiresAt } : undefined;
  }

  async putLease(ref: DataProductRef, lease: OperationLease, condition: LeaseCondition): Promise<void> {
    const claim = condition.kind === 'claim';
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.dataProducts,
          Item: { id: `${dataProductKey(ref)}${LEASE_SUFFIX}`, ...lease },
          ConditionExpression: claim
            ? 'attribute_not_exists(id) OR expiresAt < :now'
            : '#owner = :owner AND operationId = :operationId',
          ExpressionAttributeNames: claim ? undefined : { '#owner': 'owner' },
          ExpressionAttributeValues: claim
            ? { ':now': condition.now }
            : { ':owner': condition.owner, ':operationId': condition.operationId },
        }),
      );
    } catch (error) {
      throw asConflict(
        error,
        claim ? 'the lease is held by another owner' : 'the lease was lost to another owner',
      );
    }
  }

  async deleteLease(ref: DataProductRef, owner: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tables.dataProducts,
          Key: { id: `${dataProductKey(ref)}${LEASE_SUFFIX}` },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Releasing a lease that another owner holds (or nobody does) leaves it alone.
      if (!(asConflict(error, '') instanceof ConflictError)) throw error;
    }
  }

  async putHeartbeat(ref: DataProductRef, resource: string, heartbeat: ResourceHeartbeat): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tables.resources,
        Item: { dataProductId: dataProductKey(ref), name: `${resource}${HEARTBEAT_SUFFIX}`, ...heartbeat },
      }),
    );
  }

  async listDataProducts(
    filter: DataProductFilter,
    limit: number,
    cursor?: string,
  ): Promise<Page<DataProductRecord>> {
    // A query filter may not name the index key, so only a scan needs to skip lease items explicitly.
    const conditions: string[] = filter.state ? [] : ['attribute_exists(#state)'];
    const names: Record<string, string> = filter.state ? {} : { '#state': 'state' };
    const values: Record<string, unknown> = {};
    if (filter.environment) {
      conditions.push('environment = :environment');
      values[':environment'] = filter.environment;
    }
    if (filter.domain) {
      conditions.push('#domain = :domain');
      names['#domain'] = 'domain';
      values[':domain'] = filter.domain;
    }
    const items: DataProductRecord[] = [];
    let startKey = decodeCursor(cursor, filter.state);
    do {
      const common = {
        TableName: this.tables.dataProducts,
        Limit: limit - items.length,
        ExclusiveStartKey: startKey,
        ...(conditions.length > 0 ? { FilterExpression: conditions.join(' AND ') } : {}),
      };
      const page = filter.state
        ? await this.client.send(
            new QueryCommand({
              ...common,
              IndexName: STATE_INDEX,
              KeyConditionExpression: '#key = :state',
              ExpressionAttributeNames: { ...names, '#key': 'state' },
              ExpressionAttributeValues: { ...values, ':state': filter.state },
            }),
          )
        : await this.client.send(
            new ScanCommand({
              ...common,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: Object.keys(values).length > 0 ? values : undefined,
            }),
          );
      items.push(...(page.Items ?? []).map(fromDataProductItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return startKey ? { items, cursor: encodeCursor(startKey) } : { items };
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
      throw asConflict(error, 'the record was changed by another writer');
    }
  }
}

function asConflict(error: unknown, message: string): unknown {
  const name = (error as { name?: string }).name;
  if (name === 'ConditionalCheckFailedException') return new ConflictError(message, {}, { cause: error });
  // DynamoDB refuses what it cannot store (a number out of range, an item over 400 KB): the caller's data.
  if (name === 'ValidationException') {
    return new ValidationError('The record cannot be stored', [
      { path: '', message: (error as Error).message },
    ]);
  }
  return error;
}

function fromDataProductItem(item: Record<string, unknown>): DataProductRecord {
  const { id: _id, ...record } = item;
  return record as unknown as DataProductRecord;
}

function fromResourceItem(item: Record<string, unknown>): ResourceRecord {
  const { dataProductId: _id, ...record } = item;
  return record as unknown as ResourceRecord;
}

/**
 * The entries of one history item: a batch (`entries`) or, as written before
 * group commits, a single entry stored flat.
 */
function entriesOf(item: Record<string, unknown>): HistoryEntry[] {
  if (Array.isArray(item.entries)) return item.entries as HistoryEntry[];
  const { dataProductId: _id, ...entry } = item;
  return [entry as unknown as HistoryEntry];
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The start key a cursor holds, checked for the exact shape DynamoDB gave:
 * `{id}` for a scan, `{id, state}` for a query of the state index (the state
 * listed). Anything else would reach DynamoDB as a start key it refuses.
 */
function decodeCursor(
  cursor: string | undefined,
  state: string | undefined,
): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isStartKey(key, state)) return key;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError('The cursor is invalid', [
    { path: '/query/cursor', message: 'is not a cursor this service issued' },
  ]);
}

function isStartKey(key: unknown, state: string | undefined): key is Record<string, string> {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) return false;
  const fields = Object.keys(key).sort();
  const { id, state: keyState } = key as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 1024) return false;
  return state === undefined
    ? fields.length === 1
    : fields.length === 2 && fields[1] === 'state' && keyState === state;
}
