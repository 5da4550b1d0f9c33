import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable, type TableDefinition } from '../../shared/aws/ensure-table.js';

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

/** The key and indexes of each state table. */
export const STATE_TABLE_DEFINITIONS: Record<keyof StateTableNames, TableDefinition> = {
  dataProducts: {
    keys: [{ name: 'id', keyType: 'HASH' }],
    indexes: [
      {
        indexName: STATE_INDEX,
        keys: [
          { name: 'state', keyType: 'HASH' },
          { name: 'id', keyType: 'RANGE' },
        ],
      },
    ],
  },
  resources: {
    keys: [
      { name: 'dataProductId', keyType: 'HASH' },
      { name: 'name', keyType: 'RANGE' },
    ],
  },
  history: {
    keys: [
      { name: 'dataProductId', keyType: 'HASH' },
      { name: 'seq', keyType: 'RANGE', type: 'N' },
    ],
  },
};

/** Creates the state tables when missing (local stack, first deployment); existing tables are left alone. */
export async function ensureStateTables(client: DynamoDBClient, names: StateTableNames): Promise<void> {
  for (const table of ['dataProducts', 'resources', 'history'] as const) {
    const { keys, indexes } = STATE_TABLE_DEFINITIONS[table];
    await ensureTable(client, names[table], keys, indexes);
  }
}
