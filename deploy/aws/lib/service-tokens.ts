import { createHash } from 'node:crypto';
import { CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { platformTokenSpecs } from '../lambda/token-bootstrap.js';
import { bundledFunction, TOKEN_BOOTSTRAP_TIMEOUT } from './bundled-function.js';
import { functionNameOf, STACK_TOKEN_KEYS, tokenSecretNameOf } from './names.js';
import { logStatement, tableStatement } from './policies.js';
import { TOKEN_BOOTSTRAP_ACTIONS } from './tables.js';

export interface ServiceTokensProps {
  environment: string;
  tokenTable: dynamodb.Table;
  logRetention: logs.RetentionDays;
  /** Changing it runs the bootstrap again (it still keeps every token that is valid). */
  generation: string;
}

/**
 * One Secrets Manager secret per platform token (the admin's and each
 * service's), and the custom resource that fills them during the deployment:
 * tokens are issued by the platform's own TokenService into the token table
 * (hashes only) and written to the secrets, never to the template, an output
 * or a log. Each secret starts with a random placeholder Secrets Manager
 * generates, which is no dmp token.
 */
export class ServiceTokens extends Construct {
  readonly secrets: Record<(typeof STACK_TOKEN_KEYS)[number], secretsmanager.Secret>;
  /** Depend on it to start only once the secrets hold real tokens. */
  readonly ready: CustomResource;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ServiceTokensProps) {
    super(scope, id);
    this.secrets = Object.fromEntries(
      STACK_TOKEN_KEYS.map((key) => [
        key,
        new secretsmanager.Secret(this, `Token-${key}`, {
          secretName: tokenSecretNameOf(props.environment, key),
          description: `dmp ${props.environment}: the ${key} token (issued by the stack's token bootstrap)`,
          generateSecretString: { passwordLength: 32, excludePunctuation: true },
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ]),
    ) as ServiceTokens['secrets'];
    const functionName = functionNameOf(props.environment, 'token-bootstrap');
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'dmp token bootstrap: issues the platform tokens into the token table and their secrets',
    });
    this.role.addToPolicy(tableStatement(TOKEN_BOOTSTRAP_ACTIONS, [props.tokenTable.tableArn]));
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: Object.values(this.secrets).map((secret) => secret.secretArn),
      }),
    );
    this.role.addToPolicy(logStatement(logGroup.logGroupArn));
    const handler = bundledFunction(this, 'Function', {
      functionName,
      entry: 'token-bootstrap.ts',
      role: this.role,
      logGroup,
      timeout: TOKEN_BOOTSTRAP_TIMEOUT,
    });
    const specs = platformTokenSpecs(STACK_TOKEN_KEYS);
    this.ready = new CustomResource(this, 'Tokens', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::DmpPlatformTokens',
      properties: {
        TokenTable: props.tokenTable.tableName,
        Secrets: Object.fromEntries(
          Object.entries(this.secrets).map(([key, secret]) => [key, secret.secretArn]),
        ),
        // A change of a token's name, role or domains in the code reaches the deployment.
        SpecsDigest: createHash('sha256').update(JSON.stringify(specs)).digest('hex'),
        Generation: props.generation,
      },
    });
  }
}
