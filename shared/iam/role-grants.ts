/** An IAM policy document, as written into an inline role policy. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Action: string[];
    Resource: string[];
    Condition?: Record<string, Record<string, string[]>>;
  }[];
}

/**
 * Inline role policies: the one way dmp grants a role access to a resource.
 * Both operations are idempotent: granting again replaces the document,
 * revoking what is absent does nothing.
 */
export interface RoleGrants {
  grant(role: string, policyName: string, document: PolicyDocument): Promise<void>;
  revoke(role: string, policyName: string): Promise<void>;
}
