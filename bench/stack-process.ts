import { startLocalStack } from '../local/local-stack.js';

/**
 * The local stack in a process of its own, as DynamoDB and S3 are services of
 * their own in any deployment: dynalite's work then does not share the
 * platform's event loop. Prints its endpoints as one JSON line; stops on SIGTERM.
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: stack-process.ts DATA_DIR');
const stack = await startLocalStack({ host: '127.0.0.1', dynamoDbPort: 0, s3Port: 0, dataDir, buckets: [] });
process.stdout.write(
  `${JSON.stringify({ dynamoDbEndpoint: stack.dynamoDbEndpoint, s3Endpoint: stack.s3Endpoint })}\n`,
);
process.once('SIGTERM', () => {
  stack.close().finally(() => process.exit(0));
});
