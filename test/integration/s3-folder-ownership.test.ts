import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3PolicyName } from '../../microservices/s3/s3-access-policies.js';
import { S3FolderStore } from '../../microservices/s3/s3-folder-store.js';
import { S3Provisioner } from '../../microservices/s3/s3-provisioner.js';
import { createDynamoDocumentClient } from '../../shared/aws/clients.js';
import type { DataProductRef, ResourceDescriptor } from '../../shared/descriptor/types.js';
import { LocalRoleGrants } from '../../shared/iam/local-role-grants.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { DynamoFolderOwnership } from '../../shared/storage/dynamo-folder-ownership.js';
import { type FolderOwner, folderOwnerOf } from '../../shared/storage/folder-ownership.js';
import {
  DEFAULT_STORAGE_PLACEMENT,
  prefixesOverlap,
  type StoragePlacement,
} from '../../shared/storage/storage-placement.js';
import { removeDir, startTestStack, type TestStack } from '../support/local-stack.js';

/**
 * Issue 16 §2 against dynalite and s3rver: a folder has one owner. `finance`
 * tries what the security review did — another domain's folder, a folder
 * above or below it, the platform's own prefix — and DELETEs with removeData;
 * `sales` keeps every object, grant and registry item it had.
 */
const BUCKET = 'ms-datamesh-s3';
const IAM_TABLE = 'ownership-test-iam';
const OWNER_TABLE = 'ownership-test-owners';
const salesOrders: DataProductRef = {
  environment: 'test',
  domain: 'sales',
  name: 'orders',
  version: '1.0.0',
};
const financeLedger: DataProductRef = {
  environment: 'test',
  domain: 'finance',
  name: 'ledger',
  version: '1.0.0',
};
/** Directories taken as written: the registry alone stands between the domains. */
const AS_WRITTEN: StoragePlacement = { rootTemplate: '', reservedPrefixes: ['artifacts'] };

let stack: TestStack;
let grants: LocalRoleGrants;
let ownership: DynamoFolderOwnership;

function folder(name: string, specific: Record<string, unknown>, domain: string): ResourceDescriptor {
  return {
    kind: 'outputPort',
    name,
    type: 'raw',
    technology: 's3',
    owner: `${domain}-owner`,
    allow: [`${domain}-reader`],
    dependsOn: [],
    specific: { bucket: BUCKET, ...specific },
  };
}

function request(
  dataProduct: DataProductRef,
  resource: ResourceDescriptor,
  removeData = false,
): ResourceRequest {
  return {
    operationId: 'op-1',
    dataProduct,
    descriptor: {} as ResourceRequest['descriptor'],
    resource,
    removeData,
    attempt: 1,
  };
}

function provisionerWith(placement: StoragePlacement): S3Provisioner {
  return new S3Provisioner(new S3FolderStore(stack.s3), grants, ownership, placement);
}

async function put(key: string, body = 'data'): Promise<void> {
  await stack.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await stack.s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
}

async function scan(table: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await stack.dynamo.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Everything of every domain the tests can see: objects, IAM grants, registry items. */
async function everything() {
  return { objects: await keysUnder(''), iam: await scan(IAM_TABLE), owners: await scan(OWNER_TABLE) };
}

beforeAll(async () => {
  stack = await startTestStack();
  grants = await LocalRoleGrants.create(stack.dynamo, IAM_TABLE);
  ownership = await DynamoFolderOwnership.create(stack.dynamo, OWNER_TABLE);
});

afterAll(async () => {
  await stack?.close();
  if (stack) removeDir(stack.dataDir);
});

describe('S3 folders with directories taken as written: the ownership registry is the wall', () => {
  const provisioner = () => provisionerWith(AS_WRITTEN);
  const salesRaw = folder('orders_raw', { directory: 'test/sales/orders' }, 'sales');

  beforeAll(async () => {
    const info = await provisioner().create(request(salesOrders, salesRaw), null);
    expect(info).toMatchObject({ uri: `s3://${BUCKET}/test/sales/orders/` });
    await put('test/sales/orders/2024/orders.csv');
    await put('test/sales/orders/events/order_events/v1/events/e1.json', '{"archived":true}');
    await put('artifacts/dmp-observability/index.mjs', 'export const handler = () => 1;');
  });

  it.each([
    ['the same folder', 'test/sales/orders', 'is already owned by'],
    ['a folder containing it', 'test/sales', 'contains s3://ms-datamesh-s3/test/sales/orders/, owned by'],
    [
      'a folder inside it',
      'test/sales/orders/events',
      'lies inside s3://ms-datamesh-s3/test/sales/orders/, owned by',
    ],
  ])(
    "refuses finance %s of sales, and its DELETE with removeData changes nothing of sales'",
    async (_case, directory, relation) => {
      const before = await everything();
      const attack = folder('stolen', { directory }, 'finance');

      await expect(provisioner().create(request(financeLedger, attack), null)).rejects.toMatchObject({
        name: 'Conflict',
        message: expect.stringContaining(
          `${relation} resource orders_raw of data product test/sales/orders/1.0.0`,
        ),
      });
      await provisioner().remove(request(financeLedger, attack, true), attack);

      expect(await everything()).toEqual(before);
      expect(await grants.policiesOf('finance-owner')).toEqual({});
      expect(before.owners).toEqual([
        expect.objectContaining({ prefix: 'test/sales/orders', owner: 'test/sales/orders/1.0.0/orders_raw' }),
      ]);
    },
  );

  it("refuses a platform prefix at validation, and neither create nor DELETE touches the platform's artifacts", async () => {
    const before = await everything();
    for (const [specific, path] of [
      [{ directory: 'artifacts' }, '/resource/specific/directory'],
      [{ directory: 'artifacts/dmp-observability' }, '/resource/specific/directory'],
      [{ directories: ['ledger', 'artifacts'] }, '/resource/specific/directories/1'],
    ] as const) {
      const attack = folder('platform', specific, 'finance');
      expect(provisioner().validate(request(financeLedger, attack))).toEqual([
        {
          path,
          message: expect.stringContaining('the platform prefix artifacts/, which no data product may use'),
        },
      ]);
      await expect(provisioner().create(request(financeLedger, attack), null)).rejects.toMatchObject({
        name: 'ValidationError',
      });
      await expect(provisioner().remove(request(financeLedger, attack, true), attack)).rejects.toMatchObject({
        name: 'ValidationError',
      });
    }
    expect(await everything()).toEqual(before);
  });

  it('a refused folder gives back the folders the same create had just claimed', async () => {
    const attack = folder('mixed', { directories: ['finance/ledger', 'test/sales/orders'] }, 'finance');
    await expect(provisioner().create(request(financeLedger, attack), null)).rejects.toMatchObject({
      name: 'Conflict',
    });
    expect(await ownership.claimAt(BUCKET, 'finance/ledger')).toBeUndefined();
    expect(await keysUnder('finance/')).toEqual([]);
  });

  it('creating twice keeps the same claim; deleting with removeData removes only its own data, twice is fine, and releases the folder', async () => {
    const returns = { ...salesOrders, name: 'returns' };
    const raw = folder('returns_raw', { directory: 'test/sales/returns' }, 'sales');
    await provisioner().create(request(returns, raw), null);
    const claimed = await ownership.claimAt(BUCKET, 'test/sales/returns');
    await provisioner().create(request(returns, raw), null);
    expect(await ownership.claimAt(BUCKET, 'test/sales/returns')).toEqual(claimed);
    expect(claimed).toMatchObject({ status: 'held', owner: folderOwnerOf(returns, 'returns_raw') });
    await put('test/sales/returns/r1.csv');
    const orders = await keysUnder('test/sales/orders/');

    await provisioner().remove(request(returns, raw, true), raw);
    await provisioner().remove(request(returns, raw, true), raw);

    expect(await keysUnder('test/sales/returns/')).toEqual([]);
    expect(await keysUnder('test/sales/orders/')).toEqual(orders);
    expect(await ownership.claimAt(BUCKET, 'test/sales/returns')).toBeUndefined();
    expect(Object.keys(await grants.policiesOf('sales-owner'))).toEqual([
      s3PolicyName(salesOrders, 'orders_raw'),
    ]);

    // Released: someone else may now claim it.
    const taker = folder('taken', { directory: 'test/sales/returns' }, 'finance');
    await expect(provisioner().create(request(financeLedger, taker), null)).resolves.toMatchObject({
      uri: `s3://${BUCKET}/test/sales/returns/`,
    });
    await provisioner().remove(request(financeLedger, taker), taker);
  });
});

describe("S3 folders in the domain's space (the default placement)", () => {
  const provisioner = () => provisionerWith(DEFAULT_STORAGE_PLACEMENT);

  it("places another domain's path inside the caller's own space, leaving that domain untouched", async () => {
    const before = await keysUnder('test/sales/');
    const attack = folder('stolen', { directory: 'test/sales/orders' }, 'finance');

    const info = await provisioner().create(request(financeLedger, attack), null);

    expect(info).toEqual({
      uri: `s3://${BUCKET}/test/finance/test/sales/orders/`,
      uris: [`s3://${BUCKET}/test/finance/test/sales/orders/`],
      bucket: BUCKET,
      directories: ['test/finance/test/sales/orders'],
    });
    expect(await keysUnder('test/sales/')).toEqual(before);
    await provisioner().remove(request(financeLedger, attack, true), attack);
    expect(await keysUnder('test/finance/')).toEqual([]);
  });

  it('refuses a folder of another data product of the same domain, above or below it', async () => {
    const raw = folder('raw', { directory: 'shop/raw' }, 'sales');
    const shop = { ...salesOrders, name: 'shop' };
    await provisioner().create(request(shop, raw), null);
    const analytics = { ...salesOrders, name: 'analytics' };
    for (const directory of ['shop/raw', 'shop', 'shop/raw/daily']) {
      const other = folder('copy', { directory }, 'sales');
      await expect(provisioner().create(request(analytics, other), null)).rejects.toMatchObject({
        name: 'Conflict',
        message: expect.stringContaining('resource raw of data product test/sales/shop/1.0.0'),
      });
    }
    await provisioner().remove(request(shop, raw), raw);
  });
});

describe('concurrent overlapping claims', () => {
  /** Ten owners of ten domains, each on its own DynamoDB client, claiming the same folder, its parents and children at once. */
  async function race(prefixes: string[]): Promise<{ prefix: string; owner: FolderOwner }[]> {
    const claims = prefixes.map((prefix, index) => ({
      prefix,
      owner: folderOwnerOf({ ...salesOrders, domain: `domain${index}` }, 'raw'),
      registry: new DynamoFolderOwnership(
        createDynamoDocumentClient({ dynamoDbEndpoint: stack.dynamoDbEndpoint }),
        OWNER_TABLE,
      ),
    }));
    const outcomes = await Promise.allSettled(
      claims.map(({ registry, prefix, owner }) => registry.claim(BUCKET, prefix, owner)),
    );
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ name: 'Conflict' });
    }
    return claims.filter((_claim, index) => outcomes[index]?.status === 'fulfilled');
  }

  it('never leave two owners of overlapping folders', async () => {
    for (let round = 0; round < 8; round++) {
      const base = `race/${round}`;
      const winners = await race([
        `${base}/a`,
        `${base}/a`,
        base,
        `${base}/a/b`,
        `${base}/a/b`,
        `${base}/a`,
        `${base}/a/b/c`,
        base,
        `${base}/b`,
        `${base}/a`,
      ]);
      for (const [index, winner] of winners.entries()) {
        for (const other of winners.slice(index + 1)) {
          expect(prefixesOverlap(winner.prefix, other.prefix), `${winner.prefix} and ${other.prefix}`).toBe(
            false,
          );
        }
      }
      // What the registry holds agrees: no two held folders of different owners overlap.
      const held = (await scan(OWNER_TABLE)).filter(
        (item) =>
          (item.prefix === base || String(item.prefix).startsWith(`${base}/`)) && item.status === 'held',
      );
      expect(held.map((item) => item.prefix).sort()).toEqual(winners.map((winner) => winner.prefix).sort());
    }
  });

  it('give one folder claimed by ten owners at once exactly one owner', async () => {
    const winners = await race(Array.from({ length: 10 }, () => 'race/same'));
    expect(winners).toHaveLength(1);
    const claim = await ownership.claimAt(BUCKET, 'race/same');
    expect(claim).toMatchObject({ status: 'held', owner: winners[0]?.owner });
  });
});

describe('the default artifacts', () => {
  it('are not touched by any of the above', async () => {
    const object = await stack.s3.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'artifacts/dmp-observability/index.mjs' }),
    );
    expect(await object.Body?.transformToString()).toBe('export const handler = () => 1;');
  });
});
