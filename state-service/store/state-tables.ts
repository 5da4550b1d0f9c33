import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../shared/aws/ensure-table.js';

export interface StateTableNames {
  dataProducts: string;
  resources: string;
}

export const DEFAULT_STATE_TABLES: StateTableNames = {
  dataProducts: 'dmp-dataproduct-state',
  resources: 'dmp-resource-state',
};

/** Creates the state tables when missing (local stack, first deployment); existing tables are left alone. */
export async function ensureStateTables(client: DynamoDBClient, names: StateTableNames): Promise<void> {
  await ensureTable(client, names.dataProducts, [{ name: 'id', keyType: 'HASH' }]);
  await ensureTable(client, names.resources, [
    { name: 'dataProductId', keyType: 'HASH' },
    { name: 'name', keyType: 'RANGE' },
  ]);
}
