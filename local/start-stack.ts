import { ConfigError } from '../shared/config/env-reader.js';
import { startLocalStack } from './local-stack.js';
import { readPlatformOptions } from './platform.js';

/**
 * `npm run start:stack`: dynalite and s3rver alone, on their fixed ports
 * (DMP_DYNAMODB_PORT, DMP_S3_PORT) and data folder, for services started
 * apart (`npm run bootstrap` prints how).
 */
try {
  const options = readPlatformOptions();
  const stack = await startLocalStack(options);
  process.stdout.write(
    [
      'dmp local stack is running',
      `  DynamoDB   ${stack.dynamoDbEndpoint}  (dynalite)`,
      `  S3         ${stack.s3Endpoint}  (s3rver; buckets: ${options.buckets.join(', ')})`,
      `  data       ${options.dataDir}`,
      '',
      'Next: npm run bootstrap (tables, buckets, tokens, and how to start each service)',
      '',
    ].join('\n'),
  );
  const stop = () => {
    stack.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : `the local stack failed to start: ${String(error)}`}\n`,
  );
  process.exit(1);
}
