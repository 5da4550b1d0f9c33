import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../aws/ensure-table.js';
import type { PolicyDocument, RoleGrants } from './role-grants.js';

export const DEFAULT_LOCAL_IAM_TABLE = 'dmp-local-iam-role-policies';

/**
 * RoleGrants for the local stack, where there is no IAM: each inline role
 * policy is an item (roleName, policyName, policyDocument) in a DynamoDB
 * table, so what would be granted on AWS can be inspected with a Scan.
 */
export class LocalRoleGrants implements RoleGrants {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_LOCAL_IAM_TABLE,
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_LOCAL_IAM_TABLE,
  ): Promise<LocalRoleGrants> {
    await ensureTable(client, tableName, [
      { name: 'roleName', keyType: 'HASH' },
      { name: 'policyName', keyType: 'RANGE' },
    ]);
    return new LocalRoleGrants(client, tableName);
  }

  async grant(role: string, policyName: string, document: PolicyDocument): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          roleName: role,
          policyName,
          policyDocument: JSON.stringify(document),
          updatedAt: new Date().toISOString(),
        },
      }),
    );
  }

  async revoke(role: string, policyName: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { roleName: role, policyName } }),
    );
  }

  /** The policies of a role, as IAM's GetRolePolicy would return them. */
  async policiesOf(role: string): Promise<Record<string, PolicyDocument>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'roleName = :role',
        ExpressionAttributeValues: { ':role': role },
        ConsistentRead: true,
      }),
    );
    return Object.fromEntries(
      Items.map((item) => [item.policyName as string, JSON.parse(item.policyDocument as string)]),
    );
  }
}
