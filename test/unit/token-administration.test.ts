import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import type { NewToken } from '../../shared/auth/token-service.js';
import type { TokenSummary } from '../../shared/auth/token-store.js';
import { ForbiddenError, ValidationError } from '../../shared/errors.js';
import {
  assertMayAdminister,
  assertMayList,
  decideIssue,
  mayAdminister,
} from '../../state-service/domain/token-administration.js';

const person = (
  role: Principal['role'],
  domains: string[],
  id = `${role}-${domains.join('+')}`,
): Principal => ({
  id,
  name: id,
  role,
  domains,
});
const ADMIN = person('admin', ['*']);
const SALES_ADMIN = person('admin', ['sales']);
const TWO_DOMAIN_ADMIN = person('admin', ['sales', 'finance']);
const OBSERVABILITY: Principal = {
  id: 'obs',
  name: 'observability',
  role: 'microservice',
  domains: ['*'],
  technologies: ['aws-lambda'],
  kinds: ['observability'],
  mayIssue: ['reader'],
};
const S3: Principal = { id: 's3', name: 's3', role: 'microservice', domains: ['*'], technologies: ['s3'] };

const token = (fields: Partial<TokenSummary>): TokenSummary => ({
  id: 'target',
  name: 'target',
  role: 'reader',
  domains: ['sales'],
  createdAt: '2024-05-01T12:00:00.000Z',
  expiresAt: null,
  revokedAt: null,
  ...fields,
});

const issue = (caller: Principal, request: object) =>
  decideIssue(caller, { name: 'new', role: 'reader', domains: ['sales'], ...(request as Partial<NewToken>) });

describe('decideIssue', () => {
  it.each([
    ['an admin of * issues an admin token for *', ADMIN, { role: 'admin', domains: ['*'] }],
    [
      'an admin of * issues a service credential',
      ADMIN,
      { role: 'microservice', domains: ['*'], technologies: ['s3'] },
    ],
    ['an admin of * issues a provisioner credential', ADMIN, { role: 'provisioner', domains: ['*'] }],
    ['a domain admin issues a reader of its domain', SALES_ADMIN, { role: 'reader', domains: ['sales'] }],
    ['a domain admin issues an admin of its domain', SALES_ADMIN, { role: 'admin', domains: ['sales'] }],
    [
      'an admin of two domains issues a deployer of both',
      TWO_DOMAIN_ADMIN,
      { role: 'deployer', domains: ['sales', 'finance'] },
    ],
  ] as const)('lets %s', (_name, caller, request) => {
    expect(issue(caller, request)).toEqual({ issuedBy: caller.id });
  });

  it.each([
    ['a token for *', { role: 'reader', domains: ['*'] }, /every domain \(\*\)/],
    [
      'an admin token for another domain',
      { role: 'admin', domains: ['finance'] },
      /may not issue a token for finance/,
    ],
    ['a token for its domain and another', { role: 'reader', domains: ['sales', 'finance'] }, /for finance/],
    ['a provisioner credential', { role: 'provisioner', domains: ['sales'] }, /service credentials/],
    ['a microservice credential', { role: 'microservice', domains: ['sales'] }, /service credentials/],
  ] as const)('refuses a domain admin %s', (_name, request, message) => {
    expect(() => issue(SALES_ADMIN, request)).toThrow(ForbiddenError);
    expect(() => issue(SALES_ADMIN, request)).toThrow(message);
  });

  it.each([
    person('reader', ['*']),
    person('deployer', ['*']),
    person('provisioner', ['*']),
    S3,
    { ...person('admin', ['*']), serviceIssued: true },
  ])('refuses anyone but admins and issuers: $role', (caller) => {
    expect(() => issue(caller, {})).toThrow(ForbiddenError);
  });

  it('lets the observability credential issue a reader of exactly one domain, recorded as issued by a service', () => {
    expect(issue(OBSERVABILITY, { role: 'reader', domains: ['finance'] })).toEqual({
      issuedBy: 'obs',
      serviceIssued: true,
    });
  });

  it.each([
    ['a deployer', { role: 'deployer' }, /only reader tokens/],
    ['an admin', { role: 'admin' }, /only reader tokens/],
    ['a reader of *', { domains: ['*'] }, /exactly one domain/],
    ['a reader of two domains', { domains: ['sales', 'finance'] }, /exactly one domain/],
    ['a token with bindings', { technologies: ['s3'] }, /may not issue technologies/],
  ] as const)('refuses the observability credential %s', (_name, request, message) => {
    expect(() => issue(OBSERVABILITY, request)).toThrow(message);
  });

  it('refuses bindings on anything but a microservice credential, and kinds without technologies', () => {
    expect(() => issue(ADMIN, { role: 'reader', technologies: ['s3'], mayIssue: ['reader'] })).toThrow(
      expect.objectContaining({
        issues: [
          { path: '/technologies', message: 'only microservice credentials carry technologies' },
          { path: '/mayIssue', message: 'only microservice credentials carry mayIssue' },
        ],
      }),
    );
    expect(() => issue(ADMIN, { role: 'microservice', kinds: ['workload'] })).toThrow(ValidationError);
  });
});

describe('mayAdminister', () => {
  it.each([
    ['an admin of * administers an admin token for *', ADMIN, token({ domains: ['*'], role: 'admin' }), true],
    [
      'an admin of * administers a service credential',
      ADMIN,
      token({ role: 'microservice', domains: ['*'] }),
      true,
    ],
    ['a domain admin administers an admin of its domain', SALES_ADMIN, token({ role: 'admin' }), true],
    [
      "a domain admin administers a function's reader of its domain",
      SALES_ADMIN,
      token({ issuedBy: 'obs', serviceIssued: true }),
      true,
    ],
    [
      'a domain admin does not administer another domain',
      SALES_ADMIN,
      token({ domains: ['finance'] }),
      false,
    ],
    [
      'a domain admin does not administer a token reaching beyond its domain',
      SALES_ADMIN,
      token({ domains: ['sales', 'finance'] }),
      false,
    ],
    ['a domain admin does not administer a * token', SALES_ADMIN, token({ domains: ['*'] }), false],
    [
      'a domain admin does not administer a service credential of its domain',
      SALES_ADMIN,
      token({ role: 'microservice' }),
      false,
    ],
    ['nor a provisioner credential of its domain', SALES_ADMIN, token({ role: 'provisioner' }), false],
    [
      'an admin of two domains administers a token of both',
      TWO_DOMAIN_ADMIN,
      token({ domains: ['sales', 'finance'] }),
      true,
    ],
    [
      'the observability credential administers what it issued',
      OBSERVABILITY,
      token({ issuedBy: 'obs' }),
      true,
    ],
    ['but not what another issued', OBSERVABILITY, token({ issuedBy: 'someone-else' }), false],
    ['nor a token of unknown issuer', OBSERVABILITY, token({}), false],
  ] as const)('%s', (_name, caller, target, expected) => {
    expect(mayAdminister(caller, target)).toBe(expected);
    if (expected) expect(() => assertMayAdminister(caller, target)).not.toThrow();
    else expect(() => assertMayAdminister(caller, target)).toThrow(ForbiddenError);
  });

  it('refuses every other caller before looking at the token', () => {
    for (const caller of [person('deployer', ['sales']), person('provisioner', ['*']), S3]) {
      expect(() => assertMayList(caller)).toThrow(ForbiddenError);
      expect(() => mayAdminister(caller, token({}))).toThrow(ForbiddenError);
    }
  });
});
