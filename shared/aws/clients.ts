import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * One factory for the AWS clients of every service. With an endpoint override
 * the client talks to the embedded local stack (dynalite, s3rver) with dummy
 * credentials; without one it uses the SDK's default credential chain and
 * region, so the same adapter code runs locally and on AWS.
 */
export interface AwsEndpoints {
  region?: string;
  dynamoDbEndpoint?: string;
  s3Endpoint?: string;
}

const LOCAL_REGION = 'us-east-1';

export function createDynamoDocumentClient(endpoints: AwsEndpoints): DynamoDBDocumentClient {
  const client = endpoints.dynamoDbEndpoint
    ? new DynamoDBClient({
        endpoint: endpoints.dynamoDbEndpoint,
        region: endpoints.region ?? LOCAL_REGION,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    : new DynamoDBClient(endpoints.region ? { region: endpoints.region } : {});
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function createS3Client(endpoints: AwsEndpoints): S3Client {
  return endpoints.s3Endpoint
    ? new S3Client({
        endpoint: endpoints.s3Endpoint,
        forcePathStyle: true,
        region: endpoints.region ?? LOCAL_REGION,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      })
    : new S3Client(endpoints.region ? { region: endpoints.region } : {});
}
