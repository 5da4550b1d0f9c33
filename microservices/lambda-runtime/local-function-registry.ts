import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import { ensureTable } from '../../shared/aws/ensure-table.js';
import { ConflictError } from '../../shared/errors.js';
import type { ArtifactLocation } from './function-host.js';

export const DEFAULT_LOCAL_FUNCTION_TABLE = 'dmp-local-lambda-functions';

/** What Lambda would know of a function, as one item of the registry table (key `name`). */
export interface LocalFunctionRecord {
  name: string;
  arn: string;
  owner: string;
  handler: string;
  environment: Record<string, string>;
  description?: string;
  timeoutSeconds: number;
  memoryMb: number;
  artifact: ArtifactLocation;
  /** sha256 of the artifact's bytes: the code lives in `<codeDir>/<name>/<codeSha>/`. */
  codeSha: string;
  /** The resource policy: statement id → who may invoke, from where. */
  permissions: Record<string, { principal: string; sourceArn: string }>;
  updatedAt: string;
}

/**
 * The local runtime's function registry on DynamoDB, so functions survive a
 * restart and every process on the machine (the microservices that deploy,
 * the local Lambda server that invokes) sees the same functions. Each change
 * is one conditional single-item write.
 */
export class LocalFunctionRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_LOCAL_FUNCTION_TABLE,
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_LOCAL_FUNCTION_TABLE,
  ): Promise<LocalFunctionRegistry> {
    await ensureTable(client, tableName, [{ name: 'name', keyType: 'HASH' }]);
    return new LocalFunctionRegistry(client, tableName);
  }

  async get(name: string): Promise<LocalFunctionRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { name }, ConsistentRead: true }),
    );
    return Item as LocalFunctionRecord | undefined;
  }

  /** False when a function of that name exists already (nothing is written then). */
  async insert(record: LocalFunctionRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name' },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Replaces the record, on condition that the function still exists and still has the same owner. */
  async replace(record: LocalFunctionRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_exists(#name) AND #owner = :owner',
          ExpressionAttributeNames: { '#name': 'name', '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': record.owner },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ConflictError(`function ${record.name} was deleted or taken over meanwhile`, {
          functionName: record.name,
        });
      }
      throw error;
    }
  }

  /** The deleted record, or undefined when there was none. */
  async remove(name: string): Promise<LocalFunctionRecord | undefined> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { name }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes as LocalFunctionRecord | undefined;
  }

  /** Sets one statement of the resource policy; false when the function does not exist. */
  async setPermission(
    name: string,
    statementId: string,
    statement: { principal: string; sourceArn: string },
  ): Promise<boolean> {
    return this.updatePermissions(name, 'SET #permissions.#sid = :statement', statementId, {
      ':statement': statement,
    });
  }

  /** Removes one statement; false when the function does not exist. */
  async removePermission(name: string, statementId: string): Promise<boolean> {
    return this.updatePermissions(name, 'REMOVE #permissions.#sid', statementId);
  }

  private async updatePermissions(
    name: string,
    expression: string,
    statementId: string,
    values?: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { name },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(#name)',
          ExpressionAttributeNames: { '#name': 'name', '#permissions': 'permissions', '#sid': statementId },
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function isConditionFailure(error: unknown): boolean {
  return isAwsError(error, 'ConditionalCheckFailedException');
}
