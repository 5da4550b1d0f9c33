import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDocumentClient } from '../../shared/aws/clients.js';
import { type DataProductRef, dataProductKey, dataProductPath } from '../../shared/descriptor/types.js';
import { DEFAULT_STATE_TABLES } from '../../state-service/store/state-tables.js';
import type { BenchPlatform } from '../bench-platform.js';
import { runLoad } from '../load-runner.js';
import { type LoadSummary, round } from '../stats.js';

/** A data product the load reads, and how many resources its document must hold. */
export interface ReadTarget {
  ref: DataProductRef;
  resources: number;
}

export interface StateReadMeasurement {
  concurrency: number;
  seconds: number;
  /** Data products read in turn: with one, concurrent reads of it share DynamoDB reads in the state service. */
  dataProducts: number;
  /** GET /v1/dataproduct/state/… on the provisioner: auth, state service, DynamoDB, public view. */
  endpoint: LoadSummary;
  /** The DynamoDB reads that endpoint needs, sent straight to the same dynalite. */
  rawDynamoDb: LoadSummary;
  throughputRatio: number;
}

const TABLES = DEFAULT_STATE_TABLES;

/**
 * Case (d): the state GET under concurrent load against the reads it needs,
 * issued directly. The raw side mirrors what DynamoStateStore does for one
 * getDataProduct (latest history entry, state item, resource items with
 * heartbeats, lease item: four reads at once); it skips token verification,
 * which the endpoint also pays. Both sides read the targets in the same turn.
 * Spread over many data products, this measures what one GET costs; on one
 * data product, concurrent GETs share reads in the state service (the
 * endpoint then needs fewer reads than the raw side sends).
 */
export async function stateReadLoad(
  platform: BenchPlatform,
  targets: readonly ReadTarget[],
  { concurrency, seconds }: { concurrency: number; seconds: number },
): Promise<StateReadMeasurement> {
  const headers = { authorization: `Bearer ${platform.token}` };
  let turn = 0;
  const nextTarget = () => targets[turn++ % targets.length] as ReadTarget;
  const endpoint = await runLoad(
    async () => {
      const { ref, resources } = nextTarget();
      const response = await fetch(
        `${platform.provisionerUrl}/v1/dataproduct/state/${dataProductPath(ref)}`,
        {
          headers,
        },
      );
      const body = (await response.json()) as { resources?: unknown[] };
      if (response.status !== 200 || body.resources?.length !== resources) {
        throw new Error(`GET state answered ${response.status}`);
      }
    },
    { concurrency, seconds },
  );

  const dynamo = createDynamoDocumentClient({ dynamoDbEndpoint: platform.stack.dynamoDbEndpoint });
  turn = 0;
  const rawDynamoDb = await runLoad(
    async () => {
      const { ref, resources } = nextTarget();
      const id = dataProductKey(ref);
      const [, state, items] = await Promise.all([
        dynamo.send(
          new QueryCommand({
            TableName: TABLES.history,
            KeyConditionExpression: 'dataProductId = :id',
            ExpressionAttributeValues: { ':id': id },
            ScanIndexForward: false,
            Limit: 1,
            ConsistentRead: true,
          }),
        ),
        dynamo.send(new GetCommand({ TableName: TABLES.dataProducts, Key: { id }, ConsistentRead: true })),
        queryAll(dynamo, id),
        dynamo.send(
          new GetCommand({
            TableName: TABLES.dataProducts,
            Key: { id: `${id}#lease` },
            ConsistentRead: true,
          }),
        ),
      ]);
      if (!state.Item || items < resources) throw new Error('raw reads found no data product');
    },
    { concurrency, seconds },
  );
  dynamo.destroy();
  return {
    concurrency,
    seconds,
    dataProducts: targets.length,
    endpoint,
    rawDynamoDb,
    throughputRatio: round(endpoint.perSecond / rawDynamoDb.perSecond),
  };
}

/** Every item of the data product in the resource table, page by page (resource and heartbeat items). */
async function queryAll(dynamo: ReturnType<typeof createDynamoDocumentClient>, id: string): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new QueryCommand({
        TableName: TABLES.resources,
        KeyConditionExpression: 'dataProductId = :id',
        ExpressionAttributeValues: { ':id': id },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    count += page.Items?.length ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}
