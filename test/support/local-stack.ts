import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../../local/local-stack.js';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';

export interface TestStack extends LocalStack {
  dataDir: string;
  dynamo: ReturnType<typeof createDynamoDocumentClient>;
  s3: ReturnType<typeof createS3Client>;
}

export const TEST_BUCKETS = ['dmp-datamesh-s3', 'ms-datamesh-s3'];

/** dynalite and s3rver on free ports, in a fresh temporary folder. */
export async function startTestStack(dataDir = mkdtempSync(join(tmpdir(), 'dmp-test-'))): Promise<TestStack> {
  const stack = await startLocalStack({
    host: '127.0.0.1',
    dynamoDbPort: 0,
    s3Port: 0,
    dataDir,
    buckets: TEST_BUCKETS,
  });
  return {
    ...stack,
    dataDir,
    dynamo: createDynamoDocumentClient({ dynamoDbEndpoint: stack.dynamoDbEndpoint }),
    s3: createS3Client({ s3Endpoint: stack.s3Endpoint }),
    close: async () => {
      await stack.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
