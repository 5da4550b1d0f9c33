import { AddPermissionCommand, type LambdaClient, RemovePermissionCommand } from '@aws-sdk/client-lambda';
import { isAwsError } from '../../shared/aws/aws-errors.js';
import { UpstreamError } from '../../shared/errors.js';
import type { InvokeGrant } from './function-host.js';

/** AddPermission that converges: a statement with the same id already there is kept. */
export async function addInvokePermission(
  lambda: LambdaClient,
  functionName: string,
  grant: InvokeGrant,
): Promise<void> {
  try {
    await lambda.send(
      new AddPermissionCommand({
        FunctionName: functionName,
        StatementId: grant.statementId,
        Action: 'lambda:InvokeFunction',
        Principal: grant.principal,
        SourceArn: grant.sourceArn,
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'ResourceConflictException')) return;
    throw new UpstreamError(
      `Lambda AddPermission on ${functionName} failed: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

/** RemovePermission that converges: no such statement (or function) means the grant is already gone. */
export async function removeInvokePermission(
  lambda: LambdaClient,
  functionName: string,
  statementId: string,
): Promise<void> {
  try {
    await lambda.send(new RemovePermissionCommand({ FunctionName: functionName, StatementId: statementId }));
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return;
    throw new UpstreamError(
      `Lambda RemovePermission on ${functionName} failed: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}
