import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/aws/ensure-table.js';

export interface StateTableNames {
  dataProducts: string;
  resources: string;
  history: string;
}

export const DEFAULT_STATE_TABLES: StateTableNames = {
  dataProducts: 'dmp-dataproduct-state',
  resources: 'dmp-resource-state',
  history: 'dmp-state-history',
};

/** Sparse index of data products by state: lease items carry no `state`, so only state items are indexed. */
export const STATE_INDEX = 'state-index';

/** Creates the state tables when missing (local stack, first deployment); existing tables are left alone. */
export async function ensureStateTables(client: DynamoDBClient, names: StateTableNames): Promise<void> {
  await ensureTable(
    client,
    names.dataProducts,
    [{ name: 'id', keyType: 'HASH' }],
    [
      {
        indexName: STATE_INDEX,
        keys: [
          { name: 'state', keyType: 'HASH' },
          { name: 'id', keyType: 'RANGE' },
        ],
      },
    ],
  );
  await ensureTable(client, names.resources, [
    { name: 'dataProductId', keyType: 'HASH' },
    { name: 'name', keyType: 'RANGE' },
  ]);
  await ensureTable(client, names.history, [
    { name: 'dataProductId', keyType: 'HASH' },
    { name: 'seq', keyType: 'RANGE', type: 'N' },
  ]);
}
