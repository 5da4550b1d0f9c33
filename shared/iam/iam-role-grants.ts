import { DeleteRolePolicyCommand, type IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { isAwsError } from '../aws/aws-errors.js';
import type { PolicyDocument, RoleGrants } from './role-grants.js';

/** RoleGrants on AWS IAM inline role policies. */
export class IamRoleGrants implements RoleGrants {
  constructor(private readonly client: IAMClient) {}

  async grant(role: string, policyName: string, document: PolicyDocument): Promise<void> {
    try {
      await this.client.send(
        new PutRolePolicyCommand({
          RoleName: role,
          PolicyName: policyName,
          PolicyDocument: JSON.stringify(document),
        }),
      );
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntityException')) {
        throw new Error(`IAM role ${role} does not exist`, { cause: error });
      }
      throw error;
    }
  }

  async revoke(role: string, policyName: string): Promise<void> {
    try {
      await this.client.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: policyName }));
    } catch (error) {
      // Already gone (or the role itself is gone): the grant no longer exists, which is what was asked.
      if (!isAwsError(error, 'NoSuchEntityException')) throw error;
    }
  }
}
