import { describe, expect, it } from 'vitest';
import type { AccessLevel } from '../../shared/iam/access-diff.js';
import { applyAccess, revokeAccess } from '../../shared/iam/apply-access.js';
import type { PolicyDocument, RoleGrants } from '../../shared/iam/role-grants.js';

/** Inline role policies in memory: role → policy name → document. */
class MemoryGrants implements RoleGrants {
  readonly policies = new Map<string, Map<string, PolicyDocument>>();
  async grant(role: string, policyName: string, document: PolicyDocument) {
    const held = this.policies.get(role) ?? new Map<string, PolicyDocument>();
    held.set(policyName, document);
    this.policies.set(role, held);
  }
  async revoke(role: string, policyName: string) {
    this.policies.get(role)?.delete(policyName);
  }
  levels(policyName: string): Record<string, string> {
    return Object.fromEntries(
      [...this.policies].flatMap(([role, held]) => {
        const document = held.get(policyName);
        return document ? [[role, document.Statement[0]?.Sid ?? '']] : [];
      }),
    );
  }
}

const policyFor = (access: AccessLevel): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: access, Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }],
});

describe('applyAccess and revokeAccess', () => {
  it('leaves exactly the desired roles with their levels, whatever was granted before', async () => {
    const grants = new MemoryGrants();
    await applyAccess(grants, 'p', null, { owner: 'team', allow: ['readers', 'leavers'] }, policyFor);
    await grants.grant('outsider', 'other-policy', policyFor('read-only'));

    await applyAccess(
      grants,
      'p',
      { owner: 'team', allow: ['readers', 'leavers'] },
      { owner: 'readers', allow: ['team', 'joiners'] },
      policyFor,
    );

    expect(grants.levels('p')).toEqual({ readers: 'read-write', team: 'read-only', joiners: 'read-only' });
    expect(grants.levels('other-policy')).toEqual({ outsider: 'read-only' });
  });

  it('converges when applied twice, and revokes current and previous holders alike', async () => {
    const grants = new MemoryGrants();
    const desired = { owner: 'team', allow: ['readers'] };
    await applyAccess(grants, 'p', null, desired, policyFor);
    await applyAccess(grants, 'p', desired, desired, policyFor);
    expect(grants.levels('p')).toEqual({ team: 'read-write', readers: 'read-only' });

    await grants.grant('stale', 'p', policyFor('read-only'));
    await revokeAccess(grants, 'p', desired, { allow: ['stale'] });

    expect(grants.levels('p')).toEqual({});
  });
});
