import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/**
 * Every route of the provisioner and the state service × every kind of caller
 * × own and other domain. The expectations are written out here, apart from
 * the code's own rules, so that a change of policy has to change both.
 */
type Caller =
  | 'anonymous'
  | 'forged'
  | 'salesReader'
  | 'salesDeployer'
  | 'admin'
  | 'provisioner'
  | 'microservice';
type Expectation = 'allowed' | 'forbidden' | 'unauthenticated';

interface RouteCase {
  service: 'provisioner' | 'state';
  method: 'get' | 'post' | 'put' | 'delete';
  path: (domain: string) => string;
  body?: (domain: string) => string | object;
  contentType?: string;
  /** Who may, and whether the domain matters for people. */
  allowed: readonly Caller[];
  domainScoped: boolean;
  /** Open to anyone, token or not (the API contract and its UI). */
  public?: true;
}

const PEOPLE = ['salesReader', 'salesDeployer', 'admin'] as const;
const READERS = [...PEOPLE, 'provisioner', 'microservice'] as const;
const DEPLOYERS = ['salesDeployer', 'admin'] as const;
const ref = (domain: string) => `test/${domain}/matrix/1.0.0`;
const yaml = (domain: string) =>
  descriptorYaml('matrix', [{ name: 'a' }]).replace('domain: sales', `domain: ${domain}`);
const stateRef = (domain: string) => ({ environment: 'test', domain, name: 'matrix', version: '1.0.0' });

const EVERYONE = ['salesReader', 'salesDeployer', 'admin', 'provisioner', 'microservice'] as const;

const ROUTES: RouteCase[] = [
  ...(['provisioner', 'state'] as const).flatMap((service) =>
    ['/openapi.json', '/docs', '/docs/'].map(
      (path): RouteCase => ({
        service,
        method: 'get',
        path: () => path,
        allowed: EVERYONE,
        domainScoped: false,
        public: true,
      }),
    ),
  ),
  {
    service: 'provisioner',
    method: 'get',
    path: (d) => `/v1/dataproduct?domain=${d}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => '/v1/dataproduct',
    body: yaml,
    contentType: 'application/yaml',
    allowed: DEPLOYERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => '/v1/dataproduct/plan',
    body: yaml,
    contentType: 'application/yaml',
    allowed: DEPLOYERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'delete',
    path: () => '/v1/dataproduct',
    body: yaml,
    contentType: 'application/yaml',
    allowed: DEPLOYERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'delete',
    path: (d) => `/v1/dataproduct/${ref(d)}`,
    allowed: DEPLOYERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: (d) => `/v1/dataproduct/${ref(d)}/cancel`,
    allowed: DEPLOYERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'get',
    path: (d) => `/v1/dataproduct/state/${ref(d)}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'get',
    path: (d) => `/v1/dataproduct/history/${ref(d)}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'provisioner',
    method: 'get',
    path: () => '/v1/tokens',
    allowed: ['admin'],
    domainScoped: false,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => '/v1/tokens',
    body: () => ({ name: 'x', role: 'reader', domains: ['sales'] }),
    allowed: ['admin'],
    domainScoped: false,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => `/v1/tokens/${'0'.repeat(32)}/rotate`,
    allowed: ['admin'],
    domainScoped: false,
  },
  {
    service: 'provisioner',
    method: 'delete',
    path: () => `/v1/tokens/${'0'.repeat(32)}`,
    allowed: ['admin'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'get',
    path: (d) => `/v1/state/dataproduct?domain=${d}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'state',
    method: 'get',
    path: (d) => `/v1/state/dataproduct/${ref(d)}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'state',
    method: 'get',
    path: (d) => `/v1/state/dataproduct/resource/${ref(d)}/a`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'state',
    method: 'get',
    path: (d) => `/v1/state/dataproduct/history/${ref(d)}`,
    allowed: READERS,
    domainScoped: true,
  },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/state/dataproduct',
    body: (d) => ({ ...stateRef(d), state: 'CREATING', operationId: 'matrix-op' }),
    allowed: ['provisioner'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'put',
    path: () => '/v1/state/dataproduct',
    body: (d) => ({ ...stateRef(d), state: 'CREATING', operationId: 'matrix-op' }),
    allowed: ['provisioner'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/state/dataproduct/cancel',
    body: stateRef,
    allowed: ['provisioner'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/state/dataproduct/lease',
    body: (d) => ({ ...stateRef(d), action: 'release', owner: 'nobody' }),
    allowed: ['provisioner'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/state/dataproduct/resource',
    body: (d) => ({
      environment: 'test',
      domain: d,
      dataProduct: 'matrix',
      version: '1.0.0',
      name: 'a',
      state: 'FAILED',
      operationId: 'matrix-op',
    }),
    allowed: ['provisioner', 'microservice'],
    domainScoped: false,
  },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/state/dataproduct/resource/heartbeat',
    body: (d) => ({
      environment: 'test',
      domain: d,
      dataProduct: 'matrix',
      version: '1.0.0',
      name: 'a',
      operationId: 'matrix-op',
      attempt: 1,
    }),
    allowed: ['provisioner', 'microservice'],
    domainScoped: false,
  },
  { service: 'state', method: 'get', path: () => '/v1/tokens', allowed: ['admin'], domainScoped: false },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/tokens',
    body: () => ({ name: 'y', role: 'reader', domains: ['sales'] }),
    allowed: ['admin'],
    domainScoped: false,
  },
];

const CALLERS: Caller[] = [
  'anonymous',
  'forged',
  'salesReader',
  'salesDeployer',
  'admin',
  'provisioner',
  'microservice',
];

function expected(route: RouteCase, caller: Caller, domain: string): Expectation {
  if (route.public) return 'allowed';
  if (caller === 'anonymous' || caller === 'forged') return 'unauthenticated';
  if (!route.allowed.includes(caller)) return 'forbidden';
  const scopedToSales = caller === 'salesReader' || caller === 'salesDeployer';
  if (route.domainScoped && scopedToSales && domain !== 'sales') return 'forbidden';
  return 'allowed';
}

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
});
afterAll(async () => {
  await platform?.close();
});

function tokenOf(caller: Caller): string | undefined {
  if (caller === 'anonymous') return undefined;
  if (caller === 'forged') return `dmp_${'a'.repeat(32)}_${'b'.repeat(43)}`;
  return platform.tokens[caller];
}

describe('authorization matrix', () => {
  const cases = ROUTES.flatMap((route) =>
    CALLERS.flatMap((caller) =>
      ['sales', 'finance'].map((domain) => ({
        name: `${route.service} ${route.method.toUpperCase()} ${route.path(domain)} as ${caller} → ${expected(route, caller, domain)}`,
        route,
        caller,
        domain,
      })),
    ),
  );

  it.each(cases)('$name', async ({ route, caller, domain }) => {
    const url = route.service === 'provisioner' ? platform.provisioner.url : platform.stateService.url;
    let call = request(url)[route.method](route.path(domain));
    const token = tokenOf(caller);
    if (token) call = call.set('Authorization', `Bearer ${token}`);
    if (route.contentType) call = call.set('Content-Type', route.contentType);
    const response = route.body ? await call.send(route.body(domain)) : await call;
    const outcome = expected(route, caller, domain);
    if (outcome === 'unauthenticated') {
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
    } else if (outcome === 'forbidden') {
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('Forbidden');
    } else {
      expect([401, 403]).not.toContain(response.status);
      expect(response.status).toBeLessThan(500);
    }
  });
});
