import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../shared/aws/ensure-table.js';

export const DEFAULT_LOCAL_ROUTE_TABLE = 'dmp-local-api-routes';

/** One published route of the local gateway: an item of the route table (key `routeKey`). */
export interface LocalRoute {
  /** `{restApiId}/{stage}/{path}`. */
  routeKey: string;
  restApi: string;
  restApiId: string;
  stage: string;
  /** The route's path parts joined with `/`. */
  path: string;
  functionName: string;
  functionArn: string;
  updatedAt: string;
}

export function routeKeyOf(restApiId: string, stage: string, path: string): string {
  return `${restApiId}/${stage}/${path}`;
}

/** The local gateway's routes on DynamoDB, shared by the processes that publish and the server that answers. */
export class LocalRouteTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName = DEFAULT_LOCAL_ROUTE_TABLE,
  ) {}

  static async create(
    client: DynamoDBDocumentClient,
    tableName = DEFAULT_LOCAL_ROUTE_TABLE,
  ): Promise<LocalRouteTable> {
    await ensureTable(client, tableName, [{ name: 'routeKey', keyType: 'HASH' }]);
    return new LocalRouteTable(client, tableName);
  }

  async put(route: LocalRoute): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: route }));
  }

  async remove(routeKey: string): Promise<boolean> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: { routeKey }, ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  async list(): Promise<LocalRoute[]> {
    const routes: LocalRoute[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      routes.push(...((page.Items ?? []) as LocalRoute[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return routes;
  }
}
