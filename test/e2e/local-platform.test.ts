import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Platform, readPlatformOptions, startPlatform } from '../../local/platform.js';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { removeDir } from '../support/local-stack.js';
import { waitFor } from '../support/wait-for.js';

const thesisExample = readFileSync(new URL('../fixtures/thesis-example.yaml', import.meta.url), 'utf8');
const dataDir = mkdtempSync(join(tmpdir(), 'dmp-platform-'));
const env = {
  DMP_DATA_DIR: dataDir,
  DMP_DYNAMODB_PORT: '0',
  DMP_S3_PORT: '0',
  DMP_PROVISIONER_PORT: '0',
  DMP_STATE_SERVICE_PORT: '0',
  DMP_S3_SERVICE_PORT: '0',
  DMP_EVENT_STORE_PORT: '0',
  DMP_OBSERVABILITY_PORT: '0',
  DMP_WORKLOAD_PORT: '0',
  DMP_LAMBDA_SERVER_PORT: '0',
  DMP_LOG_LEVEL: 'silent',
};
const statePath = '/v1/dataproduct/state/test/test_domain/test_name/1.0.1';

let platform: Platform | undefined;

afterAll(async () => {
  await platform?.close();
  removeDir(dataDir);
});

async function stateOf(running: Platform): Promise<{ state: string }> {
  const response = await fetch(`${running.endpoints.provisioner}${statePath}`, {
    headers: { authorization: `Bearer ${running.adminToken}` },
  });
  return response.json() as Promise<{ state: string }>;
}

describe('the platform of npm start', () => {
  it('serves every service, provisions the thesis example, and keeps the state across a restart', async () => {
    platform = await startPlatform(readPlatformOptions(env));
    for (const url of [
      platform.endpoints.provisioner,
      platform.endpoints.stateService,
      platform.endpoints.s3Service,
    ]) {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    }
    const tables = await createDynamoDocumentClient({ dynamoDbEndpoint: platform.endpoints.dynamoDb }).send(
      new ListTablesCommand({}),
    );
    expect(tables.TableNames).toEqual(
      expect.arrayContaining(['dmp-dataproduct-state', 'dmp-resource-state']),
    );

    const posted = await fetch(`${platform.endpoints.provisioner}/v1/dataproduct`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml', authorization: `Bearer ${platform.adminToken}` },
      body: thesisExample,
    });
    expect(posted.status).toBe(202);
    const first = platform;
    expect(
      (
        await waitFor(
          () => stateOf(first),
          (body) => body.state !== 'CREATING',
          { timeoutMs: 5_000 },
        )
      ).state,
    ).toBe('CREATED');

    const firstToken = platform.adminToken;
    await platform.close();
    platform = await startPlatform(readPlatformOptions(env));
    expect(platform.adminToken).toBe(firstToken);
    expect((await stateOf(platform)).state).toBe('CREATED');
    const s3 = createS3Client({ s3Endpoint: platform.endpoints.s3 });
    const marker = await s3.send(
      new HeadObjectCommand({ Bucket: 'ms-datamesh-s3', Key: 'test/test_domain/test_dir/full/' }),
    );
    expect(marker.ContentLength).toBe(0);
  });
});
