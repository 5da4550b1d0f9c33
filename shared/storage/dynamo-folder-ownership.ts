import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../aws/aws-errors.js';
import { ensureTable, type KeyAttribute } from '../aws/ensure-table.js';
import { ConflictError } from '../errors.js';
import {
  type ClaimOutcome,
  type ClaimStatus,
  type FolderClaim,
  type FolderOwner,
  type FolderOwnership,
  folderConflict,
  ownerKey,
} from './folder-ownership.js';
import { DEFAULT_STORAGE_OWNER_TABLE } from './storage-config.js';
import { ancestorsOf } from './storage-placement.js';

/** The registry's key: one item per (bucket, folder prefix). Exported for the infrastructure code. */
export const STORAGE_OWNER_TABLE_KEYS: KeyAttribute[] = [
  { name: 'bucket', keyType: 'HASH' },
  { name: 'prefix', keyType: 'RANGE' },
];

/** A claim that keeps vanishing under us (others claiming and withdrawing) is given up after this many tries. */
const MAX_CLAIM_ATTEMPTS = 5;

const NAMES = {
  '#prefix': 'prefix',
  '#owner': 'owner',
  '#status': 'status',
  '#claimedAt': 'claimedAt',
};

/**
 * FolderOwnership in a DynamoDB table keyed (bucket, prefix), without
 * transactions (dynalite has none): one conditional write per item, every
 * read consistent.
 *
 * The claim protocol, and why two overlapping claims never both win:
 *  1. Put: write the item `claiming` unless another owner has it (a condition
 *     on the item: `attribute_not_exists(prefix) OR owner = me`). Two claims
 *     of the same folder are decided here: exactly one write succeeds.
 *  2. Check: read every ancestor folder (GetItem) and every folder below
 *     (Query begins_with `prefix/`), consistently, for an item of another
 *     owner, whatever its status.
 *  3. Another owner found: withdraw (delete my `claiming` item) and refuse.
 *     None: mark the item `held`. A `held` item is final: a re-claim by the
 *     same owner finds it `held` at step 1 and returns at once.
 * Take two overlapping claims A and B, A's put before B's. B's check runs
 * after B's put, hence after A's put, and its reads are consistent, so it sees
 * A's item unless A already withdrew. So B withdraws, or A did: at most one
 * of them reaches `held`. Both may withdraw (A's check may also see B's item
 * before B withdraws) — a refused claim can be retried; a double owner could
 * not be undone. A claim left `claiming` by a crash still counts as an owner
 * for everyone else's check; its resource's next attempt runs the check again,
 * and deleting the resource releases it.
 */
export class DynamoFolderOwnership implements FolderOwnership {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_STORAGE_OWNER_TABLE,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_STORAGE_OWNER_TABLE,
  ): Promise<DynamoFolderOwnership> {
    await ensureTable(client, tableName, STORAGE_OWNER_TABLE_KEYS);
    return new DynamoFolderOwnership(client, tableName);
  }

  async claim(bucket: string, prefix: string, owner: FolderOwner): Promise<ClaimOutcome> {
    const status = await this.put(bucket, prefix, owner);
    if (status === 'held') return { fresh: false };
    const other = await this.overlappingClaim(bucket, prefix, owner);
    if (other) {
      await this.withdraw(bucket, prefix, owner);
      throw folderConflict(bucket, prefix, other);
    }
    await this.confirm(bucket, prefix, owner);
    return { fresh: true };
  }

  async release(bucket: string, prefix: string, owner: FolderOwner): Promise<boolean> {
    return this.deleteIf(bucket, prefix, '#owner = :owner', { ':owner': ownerKey(owner) });
  }

  async claimAt(bucket: string, prefix: string): Promise<FolderClaim | undefined> {
    const stored = await this.read(bucket, prefix);
    if (!stored) return undefined;
    const { ownerKey: _key, ...claim } = stored;
    return claim;
  }

  async holderOf(bucket: string, prefix: string): Promise<FolderClaim | undefined> {
    for (const candidate of [prefix, ...ancestorsOf(prefix)]) {
      const claim = await this.claimAt(bucket, candidate);
      if (claim?.status === 'held') return claim;
    }
    return undefined;
  }

  private async read(bucket: string, prefix: string): Promise<StoredClaim | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { bucket, prefix }, ConsistentRead: true }),
    );
    return Item ? claimOf(Item) : undefined;
  }

  /** Step 1: the conditional write; the item's status after it. */
  private async put(bucket: string, prefix: string, owner: FolderOwner): Promise<ClaimStatus> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { Attributes } = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { bucket, prefix },
            UpdateExpression:
              'SET #owner = :owner, #status = if_not_exists(#status, :claiming), #claimedAt = if_not_exists(#claimedAt, :now)',
            ConditionExpression: 'attribute_not_exists(#prefix) OR #owner = :owner',
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: {
              ':owner': ownerKey(owner),
              ':claiming': 'claiming',
              ':now': this.clock().toISOString(),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes?.status === 'held' ? 'held' : 'claiming';
      } catch (error) {
        if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      }
      // Another owner has the item; name it (if it withdrew meanwhile, the folder is free again: try anew).
      const holder = await this.claimAt(bucket, prefix);
      if (holder) throw folderConflict(bucket, prefix, holder);
      if (attempt >= MAX_CLAIM_ATTEMPTS) {
        throw new ConflictError(
          `the folder s3://${bucket}/${prefix}/ is being claimed by others at the same time; try again`,
          { bucket, folder: `${prefix}/` },
        );
      }
    }
  }

  /** Step 2: a folder of another owner that is this one, contains it or lies inside it. */
  private async overlappingClaim(
    bucket: string,
    prefix: string,
    owner: FolderOwner,
  ): Promise<FolderClaim | undefined> {
    const mine = ownerKey(owner);
    for (const ancestor of ancestorsOf(prefix)) {
      const claim = await this.read(bucket, ancestor);
      if (claim && claim.ownerKey !== mine) return claim;
    }
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#bucket = :bucket AND begins_with(#prefix, :below)',
          ExpressionAttributeNames: { '#bucket': 'bucket', '#prefix': 'prefix' },
          ExpressionAttributeValues: { ':bucket': bucket, ':below': `${prefix}/` },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      const other = (page.Items ?? []).map(claimOf).find((claim) => claim.ownerKey !== mine);
      if (other) return other;
      start = page.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  /** Step 3, refused: only a claim still `claiming` is withdrawn (a concurrent attempt of the same owner may have confirmed it). */
  private async withdraw(bucket: string, prefix: string, owner: FolderOwner): Promise<void> {
    await this.deleteIf(bucket, prefix, '#owner = :owner AND #status = :claiming', {
      ':owner': ownerKey(owner),
      ':claiming': 'claiming',
    });
  }

  /** Step 3, accepted. */
  private async confirm(bucket: string, prefix: string, owner: FolderOwner): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { bucket, prefix },
          UpdateExpression: 'SET #status = :held',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
          ExpressionAttributeValues: { ':owner': ownerKey(owner), ':held': 'held' },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      throw new ConflictError(
        `the claim of s3://${bucket}/${prefix}/ was released while it was being made; try again`,
        { bucket, folder: `${prefix}/` },
      );
    }
  }

  private async deleteIf(
    bucket: string,
    prefix: string,
    condition: string,
    values: Record<string, string>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { bucket, prefix },
          ConditionExpression: condition,
          ExpressionAttributeNames: {
            '#owner': 'owner',
            ...(condition.includes('#status') ? { '#status': 'status' } : {}),
          },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
      throw error;
    }
  }
}

/** A claim with the owner as stored: compared as written, never re-assembled. */
type StoredClaim = FolderClaim & { ownerKey: string };

function claimOf(item: Record<string, unknown>): StoredClaim {
  const key = String(item.owner);
  const [environment = '', domain = '', dataProduct = '', version = '', resource = ''] = key.split('/');
  return {
    bucket: String(item.bucket),
    prefix: String(item.prefix),
    owner: { environment, domain, dataProduct, version, resource },
    ownerKey: key,
    status: item.status === 'held' ? 'held' : 'claiming',
    claimedAt: String(item.claimedAt),
  };
}
