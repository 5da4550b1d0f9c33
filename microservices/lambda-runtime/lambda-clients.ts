import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { AwsEndpoints } from '../../shared/aws/clients.js';

/** Lambda and API Gateway clients on the SDK's default credential chain and region (there is no local endpoint for them). */
export function createLambdaClient(endpoints: Pick<AwsEndpoints, 'region'>): LambdaClient {
  return new LambdaClient(endpoints.region ? { region: endpoints.region } : {});
}

export function createApiGatewayClient(endpoints: Pick<AwsEndpoints, 'region'>): APIGatewayClient {
  return new APIGatewayClient(endpoints.region ? { region: endpoints.region } : {});
}
