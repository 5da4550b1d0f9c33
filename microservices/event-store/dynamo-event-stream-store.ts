import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import type { EventStreamStore } from './event-stream-store.js';
import type { Commit, StoredEvent } from './stream-commit.js';

/**
 * EventStreamStore on a port's DynamoDB table. Commits live under their
 * aggregate's partition; the id index lives in partitions `#id#<aggregate>#<id>`
 * (sort key 0), which no aggregate id can name because aggregate ids have no '#'.
 */
export class DynamoEventStreamStore implements EventStreamStore {
  constructor(private readonly client: DynamoDBDocumentClient) {}

  async head(tableName: string, aggregateId: string): Promise<Commit | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'aggregateId = :aggregate',
        ExpressionAttributeValues: { ':aggregate': aggregateId },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return Items[0] ? commitOf(Items[0]) : undefined;
  }

  async getCommit(tableName: string, aggregateId: string, sequence: number): Promise<Commit | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: tableName, Key: { aggregateId, sequence }, ConsistentRead: true }),
    );
    return Item ? commitOf(Item) : undefined;
  }

  async commitsOfIds(
    tableName: string,
    aggregateId: string,
    ids: readonly string[],
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    let keys: Record<string, unknown>[] = ids.map((id) => ({
      aggregateId: indexKeyOf(aggregateId, id),
      sequence: 0,
    }));
    while (keys.length > 0) {
      const batch = keys.slice(0, 100);
      keys = keys.slice(100);
      let request: { Keys: Record<string, unknown>[]; ConsistentRead: boolean } | undefined = {
        Keys: batch,
        ConsistentRead: true,
      };
      while (request) {
        const page: BatchGetCommandOutput = await this.client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: request } }),
        );
        for (const item of page.Responses?.[tableName] ?? []) {
          found.set(item.eventId as string, item.commitSequence as number);
        }
        const unprocessed: { Keys?: Record<string, unknown>[] } | undefined =
          page.UnprocessedKeys?.[tableName];
        request = unprocessed?.Keys?.length
          ? { Keys: unprocessed.Keys as Record<string, unknown>[], ConsistentRead: true }
          : undefined;
      }
    }
    return found;
  }

  async putCommit(tableName: string, commit: Commit): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: tableName,
          Item: itemOf(commit),
          // The sort key alone decides: whoever writes this sequence first owns it.
          ConditionExpression: 'attribute_not_exists(#sequence)',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }

  async indexCommit(tableName: string, commit: Commit): Promise<void> {
    let requests = commit.events.map((event) => ({
      PutRequest: {
        Item: {
          aggregateId: indexKeyOf(commit.aggregateId, event.id),
          sequence: 0,
          eventId: event.id,
          commitSequence: commit.sequence,
        },
      },
    }));
    while (requests.length > 0) {
      const batch = requests.slice(0, 25);
      requests = requests.slice(25);
      let pending: typeof batch = batch;
      while (pending.length > 0) {
        const result = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = (result.UnprocessedItems?.[tableName] ?? []) as typeof batch;
      }
    }
  }

  async markComplete(tableName: string, aggregateId: string, sequence: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { aggregateId, sequence },
          UpdateExpression: 'REMOVE #pending',
          // On the key only: never create a commit that does not exist.
          ConditionExpression: 'attribute_exists(#sequence)',
          ExpressionAttributeNames: { '#sequence': 'sequence', '#pending': 'pending' },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  async commitsFrom(
    tableName: string,
    aggregateId: string,
    from: number,
    maxCommits: number,
  ): Promise<{ commits: Commit[]; more: boolean }> {
    const commits: Commit[] = [];
    // The commit holding `from` may start before it.
    const { Items: before = [] } = await this.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'aggregateId = :aggregate AND #sequence <= :from',
        ExpressionAttributeNames: { '#sequence': 'sequence' },
        ExpressionAttributeValues: { ':aggregate': aggregateId, ':from': from },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const holding = before[0] ? commitOf(before[0]) : undefined;
    if (holding && holding.sequence + holding.events.length - 1 >= from) commits.push(holding);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'aggregateId = :aggregate AND #sequence > :from',
          ExpressionAttributeNames: { '#sequence': 'sequence' },
          ExpressionAttributeValues: { ':aggregate': aggregateId, ':from': from },
          Limit: maxCommits + 1 - commits.length,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      commits.push(...(page.Items ?? []).map(commitOf));
      start = page.LastEvaluatedKey;
    } while (start && commits.length <= maxCommits);
    return { commits: commits.slice(0, maxCommits), more: commits.length > maxCommits };
  }
}

function indexKeyOf(aggregateId: string, eventId: string): string {
  return `#id#${aggregateId}#${eventId}`;
}

function itemOf(commit: Commit): Record<string, unknown> {
  return {
    aggregateId: commit.aggregateId,
    sequence: commit.sequence,
    events: commit.events,
    committedAt: commit.committedAt,
    ...(commit.pending ? { pending: true } : {}),
  };
}

function commitOf(item: Record<string, unknown>): Commit {
  return {
    aggregateId: item.aggregateId as string,
    sequence: item.sequence as number,
    events: item.events as StoredEvent[],
    committedAt: item.committedAt as string,
    pending: item.pending === true,
  };
}
