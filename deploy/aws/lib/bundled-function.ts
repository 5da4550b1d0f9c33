import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: the handlers below import the platform's own modules from it. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface BundledFunctionProps {
  functionName: string;
  /** A file of deploy/aws/lambda/ exporting `handler`. */
  entry: 'api-authorizer.ts' | 'token-bootstrap.ts';
  role: iam.IRole;
  logGroup: logs.ILogGroup;
  environment?: Record<string, string>;
  timeout: Duration;
  vpc?: ec2.IVpc;
  securityGroups?: ec2.ISecurityGroup[];
  vpcSubnets?: ec2.SubnetSelection;
}

/**
 * A handler of deploy/aws/lambda/, bundled by esbuild at synth with the
 * platform modules it imports and their pinned AWS SDK (not the runtime's).
 */
export function bundledFunction(
  scope: Construct,
  id: string,
  props: BundledFunctionProps,
): nodejs.NodejsFunction {
  return new nodejs.NodejsFunction(scope, id, {
    functionName: props.functionName,
    entry: fileURLToPath(new URL(`../lambda/${props.entry}`, import.meta.url)),
    handler: 'handler',
    runtime: lambda.Runtime.NODEJS_20_X,
    architecture: lambda.Architecture.X86_64,
    memorySize: 256,
    timeout: props.timeout,
    role: props.role,
    logGroup: props.logGroup,
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    projectRoot: REPOSITORY_ROOT,
    depsLockFilePath: fileURLToPath(new URL('../../../package-lock.json', import.meta.url)),
    vpc: props.vpc,
    securityGroups: props.securityGroups,
    vpcSubnets: props.vpcSubnets,
    bundling: {
      format: nodejs.OutputFormat.ESM,
      target: 'node20',
      minify: true,
      sourceMap: true,
      mainFields: ['module', 'main'],
      // The pinned SDK goes into the bundle: the runtime's own is not the version tested here.
      externalModules: [],
    },
  });
}

/** How long the token bootstrap may take: a few reads and writes per token. */
export const TOKEN_BOOTSTRAP_TIMEOUT = Duration.minutes(2);
