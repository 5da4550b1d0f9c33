import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { dump } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRoleGrants } from '../../shared/iam/local-role-grants.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The security review's S3 probes through the provisioner's API, with the
 * S3 microservice taking directories as written (an empty root template), so
 * that only the reserved prefixes and the ownership registry stand between
 * `finance` and `sales`: a platform prefix is a 400 at the check, another
 * domain's folder a FAILED resource, and its DELETE with removeData erases nothing.
 */
const BUCKET = 'ms-datamesh-s3';
let platform: TestPlatform;

function descriptor(domain: string, name: string, directory: string): string {
  return dump({
    name,
    domain,
    version: '1.0.0',
    environment: { name: 'test', specific: {} },
    outputPorts: [
      {
        name: `${name}_raw`,
        type: 'raw',
        technology: 's3',
        description: 'a folder',
        owner: `${domain}-owner`,
        allow: [],
        dependsOn: [],
        specific: { bucket: BUCKET, directory },
      },
    ],
    workloads: [],
    observability: [],
  });
}

const post = (yaml: string) =>
  platform.api.post('/v1/dataproduct').set('Content-Type', 'application/yaml').send(yaml);

async function settled(path: string) {
  const response = await waitFor(
    () => platform.api.get(`/v1/dataproduct/state/${path}`),
    (answer) => ['CREATED', 'NOT_COMPLETED', 'DELETED'].includes(answer.body.state),
  );
  return response.body as { state: string; resources: { name: string; state: string; lastError: string }[] };
}

beforeAll(async () => {
  platform = await startTestPlatform({
    deadPort: await freePort(),
    storagePlacement: { rootTemplate: '', reservedPrefixes: ['artifacts'] },
  });
  expect((await post(descriptor('sales', 'orders', 'test/sales/orders'))).status).toBe(202);
  expect((await settled('test/sales/orders/1.0.0')).state).toBe('CREATED');
  await platform.stack.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'test/sales/orders/day1.csv', Body: 'id\n1\n' }),
  );
});

afterAll(async () => {
  await platform?.close();
});

describe("S3 folders: one owner, never the platform's", () => {
  it('refuses a platform prefix with 400 at the check, naming the directory, and records nothing', async () => {
    const refused = await post(descriptor('finance', 'ledger', 'artifacts'));
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        path: '/outputPorts/0/specific/directory',
        line: expect.any(Number),
        message: expect.stringContaining('is the platform prefix artifacts/, which no data product may use'),
      },
    ]);
    expect((await platform.api.get('/v1/dataproduct/state/test/finance/ledger/1.0.0')).status).toBe(404);
  });

  it("fails a folder another domain owns, and its DELETE with removeData leaves that domain's data, grants and state", async () => {
    const grants = new LocalRoleGrants(platform.stack.dynamo);
    const salesGrants = await grants.policiesOf('sales-owner');

    expect((await post(descriptor('finance', 'stolen', 'test/sales/orders'))).status).toBe(202);
    const failed = await settled('test/finance/stolen/1.0.0');
    expect(failed.state).toBe('NOT_COMPLETED');
    expect(failed.resources[0]).toMatchObject({
      state: 'FAILED',
      lastError: expect.stringContaining(
        `s3://${BUCKET}/test/sales/orders/ is already owned by resource orders_raw of data product test/sales/orders/1.0.0`,
      ),
    });
    expect(await grants.policiesOf('finance-owner')).toEqual({});

    const deletion = await platform.api.delete('/v1/dataproduct/test/finance/stolen/1.0.0?removeData=true');
    expect(deletion.status).toBe(202);
    expect((await settled('test/finance/stolen/1.0.0')).state).toBe('DELETED');

    const kept = await platform.stack.s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: 'test/sales/orders/day1.csv' }),
    );
    expect(kept.ContentLength).toBe(5);
    expect(await grants.policiesOf('sales-owner')).toEqual(salesGrants);
    expect((await settled('test/sales/orders/1.0.0')).state).toBe('CREATED');
  });
});
