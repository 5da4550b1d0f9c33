import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import {
  DEFAULT_PORT_REGISTRY_TABLE,
  PORT_REGISTRY_TABLE_DEFINITION,
} from '../../../microservices/event-store/dynamo-port-registry.js';
import { DEFAULT_TOKEN_TABLE, TOKEN_TABLE_DEFINITION } from '../../../shared/auth/dynamo-token-store.js';
import type { KeyAttribute, TableDefinition } from '../../../shared/aws/ensure-table.js';
import { STORAGE_OWNER_TABLE_KEYS } from '../../../shared/storage/dynamo-folder-ownership.js';
import { DEFAULT_STORAGE_OWNER_TABLE } from '../../../shared/storage/storage-config.js';
import { DEFAULT_STATE_TABLES, STATE_TABLE_DEFINITIONS } from '../../../state-service/store/state-tables.js';
import { tableNameOf } from './names.js';

/** The services that hold an IAM role of their own. */
export type ServiceRole =
  | 'provisioner'
  | 'state-service'
  | 'event-store-data'
  | 's3'
  | 'event-store'
  | 'observability'
  | 'workload'
  | 'token-bootstrap';

/** The DynamoDB actions each adapter sends (its *Command imports), for the grants of the services using it. */
export const STATE_STORE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
  'dynamodb:Scan',
] as const;
export const TOKEN_STORE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'] as const;
/** Issuing (PutItem) and checking (GetItem) tokens; nothing else. */
export const TOKEN_BOOTSTRAP_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'] as const;
/** The folder-ownership registry: claims (UpdateItem), releases (DeleteItem), overlap checks (GetItem, Query). */
export const STORAGE_OWNER_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;
/** The event store only asks who holds the folder an archive lies in. */
export const STORAGE_OWNER_READ_ACTIONS = ['dynamodb:DescribeTable', 'dynamodb:GetItem'] as const;
/** DescribeTable: DynamoPortRegistry.create looks for its table at start (it exists, so it never creates it). */
export const PORT_REGISTRY_ACTIONS = [
  'dynamodb:DescribeTable',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

/** One table of the deployment: its definition comes from the code that uses it. */
export interface DmpTable {
  /** Construct id. */
  id: string;
  /** The code's default name; the deployment's is `tableNameOf(environment, defaultName)`. */
  defaultName: string;
  definition: TableDefinition;
  /** The variable that tells its services the name. */
  nameVariable: string;
  /** Which services use it, with which actions. */
  users: Partial<Record<ServiceRole, readonly string[]>>;
}

/** Every DynamoDB table the services use; adding one is one line here. */
export const DMP_TABLES: readonly DmpTable[] = [
  {
    id: 'DataProductState',
    defaultName: DEFAULT_STATE_TABLES.dataProducts,
    definition: STATE_TABLE_DEFINITIONS.dataProducts,
    nameVariable: 'DMP_DATAPRODUCT_TABLE',
    users: { 'state-service': STATE_STORE_ACTIONS },
  },
  {
    id: 'ResourceState',
    defaultName: DEFAULT_STATE_TABLES.resources,
    definition: STATE_TABLE_DEFINITIONS.resources,
    nameVariable: 'DMP_RESOURCE_TABLE',
    users: { 'state-service': STATE_STORE_ACTIONS },
  },
  {
    id: 'StateHistory',
    defaultName: DEFAULT_STATE_TABLES.history,
    definition: STATE_TABLE_DEFINITIONS.history,
    nameVariable: 'DMP_HISTORY_TABLE',
    users: { 'state-service': STATE_STORE_ACTIONS },
  },
  {
    id: 'Tokens',
    defaultName: DEFAULT_TOKEN_TABLE,
    definition: TOKEN_TABLE_DEFINITION,
    nameVariable: 'DMP_TOKEN_TABLE',
    users: { 'state-service': TOKEN_STORE_ACTIONS, 'token-bootstrap': TOKEN_BOOTSTRAP_ACTIONS },
  },
  {
    id: 'EventStorePorts',
    defaultName: DEFAULT_PORT_REGISTRY_TABLE,
    definition: PORT_REGISTRY_TABLE_DEFINITION,
    nameVariable: 'DMP_EVENT_STORE_REGISTRY_TABLE',
    users: { 'event-store': PORT_REGISTRY_ACTIONS, 'event-store-data': PORT_REGISTRY_ACTIONS },
  },
  {
    id: 'StorageOwners',
    defaultName: DEFAULT_STORAGE_OWNER_TABLE,
    definition: { keys: STORAGE_OWNER_TABLE_KEYS },
    nameVariable: 'DMP_STORAGE_OWNER_TABLE',
    users: {
      s3: STORAGE_OWNER_ACTIONS,
      'event-store': STORAGE_OWNER_READ_ACTIONS,
      'event-store-data': STORAGE_OWNER_READ_ACTIONS,
    },
  },
];

/**
 * The tables of one deployment: on demand, point-in-time recovery, deletion
 * protection, retained when the stack goes. No table has a TTL: no adapter
 * writes an expiry attribute DynamoDB could act on (leases and tokens carry
 * ISO times the code compares itself, and are deleted or revoked by it).
 */
export class DmpTables extends Construct {
  readonly byId = new Map<string, { table: dynamodb.Table; spec: DmpTable }>();

  constructor(scope: Construct, id: string, environment: string, tables: readonly DmpTable[] = DMP_TABLES) {
    super(scope, id);
    for (const spec of tables) {
      const { keys, indexes = [] } = spec.definition;
      const table = new dynamodb.Table(this, spec.id, {
        tableName: tableNameOf(environment, spec.defaultName),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        partitionKey: attributeOf(keyOf(keys, 'HASH', spec.id)),
        ...(keys.some((key) => key.keyType === 'RANGE')
          ? { sortKey: attributeOf(keyOf(keys, 'RANGE', spec.id)) }
          : {}),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
      });
      for (const index of indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attributeOf(keyOf(index.keys, 'HASH', index.indexName)),
          ...(index.keys.some((key) => key.keyType === 'RANGE')
            ? { sortKey: attributeOf(keyOf(index.keys, 'RANGE', index.indexName)) }
            : {}),
          projectionType: dynamodb.ProjectionType.ALL,
        });
      }
      this.byId.set(spec.id, { table, spec });
    }
  }

  /** The tables a service uses, with its actions on each. */
  usedBy(service: ServiceRole): { table: dynamodb.Table; spec: DmpTable; actions: readonly string[] }[] {
    return [...this.byId.values()].flatMap(({ table, spec }) => {
      const actions = spec.users[service];
      return actions ? [{ table, spec, actions }] : [];
    });
  }

  /** The name variables of the tables a service uses, for its environment. */
  environmentOf(service: ServiceRole): Record<string, string> {
    return Object.fromEntries(
      this.usedBy(service).map(({ table, spec }) => [spec.nameVariable, table.tableName]),
    );
  }
}

function keyOf(keys: readonly KeyAttribute[], keyType: 'HASH' | 'RANGE', where: string): KeyAttribute {
  const key = keys.find((candidate) => candidate.keyType === keyType);
  if (!key) throw new Error(`${where} has no ${keyType} key`);
  return key;
}

function attributeOf(key: KeyAttribute): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
  };
}
