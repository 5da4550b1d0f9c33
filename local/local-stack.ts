import { chmodSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface LocalStackOptions {
  host: string;
  dynamoDbPort: number;
  s3Port: number;
  /** Data folder: DynamoDB under `dynamodb/`, S3 under `s3/`; survives restarts. Made 0711, they 0700. */
  dataDir: string;
  buckets: readonly string[];
}

export interface LocalStack {
  dynamoDbEndpoint: string;
  s3Endpoint: string;
  close(): Promise<void>;
}

/** The embedded local stack: dynalite speaks DynamoDB, s3rver speaks S3, both persisted in the data folder. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dynamoDir = join(options.dataDir, 'dynamodb');
  const s3Dir = join(options.dataDir, 's3');
  mkdirSync(dynamoDir, { recursive: true });
  mkdirSync(s3Dir, { recursive: true });
  // The local Lambda runtime runs functions as another user when the platform is root: it must pass
  // through the data folder to their code folders (`lambda/`), and must neither list it nor read
  // the tables, the objects or tokens.json (0600) in it.
  chmodSync(options.dataDir, 0o711);
  chmodSync(dynamoDir, 0o700);
  chmodSync(s3Dir, 0o700);

  const dynamo: Server = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(options.dynamoDbPort, options.host, () => resolve());
  });
  const dynamoPort = (dynamo.address() as AddressInfo).port;

  let s3: S3rver;
  let s3Address: AddressInfo;
  try {
    s3 = new S3rver({
      address: options.host,
      port: options.s3Port,
      silent: true,
      directory: s3Dir,
      configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
    });
    s3Address = (await s3.run()) as AddressInfo;
  } catch (error) {
    await closeServer(dynamo);
    throw error;
  }

  return {
    dynamoDbEndpoint: `http://${options.host}:${dynamoPort}`,
    s3Endpoint: `http://${options.host}:${s3Address.port}`,
    close: async () => {
      await s3.close();
      await closeServer(dynamo);
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
