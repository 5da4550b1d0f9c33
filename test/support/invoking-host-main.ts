/**
 * A platform stand-in for tests that kill it mid-invocation: a local function
 * host on the given stack that invokes DMP_TEST_FUNCTION with each event of
 * DMP_TEST_EVENTS (a JSON array), all at once, and prints "invoking".
 */
import { LocalFunctionHost } from '../../microservices/lambda-runtime/local-function-host.js';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { silentLogger } from './silent-logger.js';

const env = process.env as Record<string, string>;
const host = await LocalFunctionHost.create({
  dynamo: createDynamoDocumentClient({ dynamoDbEndpoint: env.DMP_DYNAMODB_ENDPOINT }),
  s3: createS3Client({ s3Endpoint: env.DMP_S3_ENDPOINT }),
  codeDir: env.DMP_LAMBDA_CODE_DIR as string,
  logger: silentLogger,
});
const events = JSON.parse(env.DMP_TEST_EVENTS as string) as unknown[];
for (const event of events) void host.invoke(env.DMP_TEST_FUNCTION as string, event);
process.stdout.write('invoking\n');
