import { describe, expect, it } from 'vitest';
import { readLambdaRuntimeConfig } from '../../microservices/lambda-runtime/lambda-runtime-config.js';
import { ConfigError, EnvReader } from '../../shared/config/env-reader.js';

const read = (env: NodeJS.ProcessEnv) => {
  const reader = new EnvReader(env);
  const config = readLambdaRuntimeConfig(reader);
  reader.assertValid();
  return config;
};

describe('readLambdaRuntimeConfig', () => {
  it('is local when a DynamoDB endpoint is set, with documented defaults', () => {
    expect(read({ DMP_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual({
      mode: 'local',
      stage: 'v1',
      lambdaUrl: 'http://127.0.0.1:8099',
      codeDir: '.dmp-data/lambda',
      serverPort: 8099,
      functionTable: 'dmp-local-lambda-functions',
      routeTable: 'dmp-local-api-routes',
      maxConcurrentInvocations: 8,
      runAs: { uid: 65534, gid: 65534 },
    });
  });

  it('reads the user that runs functions when the platform is root', () => {
    expect(read({ DMP_LAMBDA_MODE: 'local', DMP_LAMBDA_RUN_AS: '1001:1002' })).toMatchObject({
      runAs: { uid: 1001, gid: 1002 },
    });
    expect(() => read({ DMP_LAMBDA_MODE: 'local', DMP_LAMBDA_RUN_AS: 'nobody' })).toThrow(
      /DMP_LAMBDA_RUN_AS=nobody must be uid:gid/,
    );
    expect(() => read({ DMP_LAMBDA_MODE: 'local', DMP_LAMBDA_RUN_AS: '4294967295:0' })).toThrow(
      /DMP_LAMBDA_RUN_AS=4294967295:0 must be uid:gid/,
    );
  });

  it('derives the code folder from DMP_DATA_DIR and the URL from the server port', () => {
    expect(
      read({ DMP_LAMBDA_MODE: 'local', DMP_DATA_DIR: '/var/dmp', DMP_LAMBDA_SERVER_PORT: '9000' }),
    ).toMatchObject({
      codeDir: '/var/dmp/lambda',
      lambdaUrl: 'http://127.0.0.1:9000',
    });
  });

  it('is aws without a DynamoDB endpoint, and then requires the execution role', () => {
    expect(() => read({})).toThrow(/DMP_LAMBDA_ROLE_ARN is required/);
    expect(read({ DMP_LAMBDA_ROLE_ARN: 'arn:aws:iam::1:role/r', DMP_API_STAGE: 'prod' })).toEqual({
      mode: 'aws',
      stage: 'prod',
      roleArn: 'arn:aws:iam::1:role/r',
      accountId: undefined,
    });
  });

  it('refuses bad values with the variable named', () => {
    expect(() => read({ DMP_LAMBDA_MODE: 'cloud' })).toThrow(
      /DMP_LAMBDA_MODE=cloud must be one of local, aws/,
    );
    expect(() => read({ DMP_LAMBDA_MODE: 'local', DMP_LAMBDA_URL: 'ftp://x' })).toThrow(/DMP_LAMBDA_URL/);
    expect(() => read({ DMP_LAMBDA_MODE: 'local', DMP_API_STAGE: 'v1/../x' })).toThrow(ConfigError);
  });
});
