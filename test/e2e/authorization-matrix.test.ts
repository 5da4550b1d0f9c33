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
  | 'salesAdmin'
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
  /**
   * The exact status an allowed caller gets (default 200), with resource `a` held in transit by the gated
   * microservice: `first` is the first allowed call of the route on its domain.
   */
  allowedStatus?: (first: boolean) => number;
}

/** Allowed calls already made, by route and domain. */
const calledBefore = new Set<string>();

const PEOPLE = ['salesReader', 'salesDeployer', 'salesAdmin', 'admin'] as const;
const READERS = [...PEOPLE, 'provisioner', 'microservice'] as const;
const DEPLOYERS = ['salesDeployer', 'salesAdmin', 'admin'] as const;
/** Who administers tokens at all; which tokens, the token administration matrix below says. */
const TOKEN_ADMINS = ['salesAdmin', 'admin'] as const;
const ref = (domain: string) => `test/${domain}/matrix/1.0.0`;
const yaml = (domain: string) =>
  descriptorYaml('matrix', [{ name: 'a' }]).replace('domain: sales', `domain: ${domain}`);
const stateRef = (domain: string) => ({ environment: 'test', domain, name: 'matrix', version: '1.0.0' });

const EVERYONE = [
  'salesReader',
  'salesDeployer',
  'salesAdmin',
  'admin',
  'provisioner',
  'microservice',
] as const;

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
        // swagger-ui redirects the bare path to the folder it serves.
        ...(path === '/docs' ? { allowedStatus: () => 301 } : {}),
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
    // Accepted once; then the data product is CREATING (its resource held) and a second deploy must wait.
    allowedStatus: (first) => (first ? 202 : 409),
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
    allowedStatus: () => 409,
  },
  {
    service: 'provisioner',
    method: 'delete',
    path: (d) => `/v1/dataproduct/${ref(d)}`,
    allowed: DEPLOYERS,
    domainScoped: true,
    allowedStatus: () => 409,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: (d) => `/v1/dataproduct/${ref(d)}/cancel`,
    allowed: DEPLOYERS,
    domainScoped: true,
    allowedStatus: () => 202,
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
    allowed: TOKEN_ADMINS,
    domainScoped: false,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => '/v1/tokens',
    body: () => ({ name: 'x', role: 'reader', domains: ['sales'] }),
    allowed: TOKEN_ADMINS,
    domainScoped: false,
    allowedStatus: () => 201,
  },
  {
    service: 'provisioner',
    method: 'post',
    path: () => `/v1/tokens/${'0'.repeat(32)}/rotate`,
    allowed: TOKEN_ADMINS,
    domainScoped: false,
    allowedStatus: () => 404,
  },
  {
    service: 'provisioner',
    method: 'delete',
    path: () => `/v1/tokens/${'0'.repeat(32)}`,
    allowed: TOKEN_ADMINS,
    domainScoped: false,
    allowedStatus: () => 404,
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
    // The data product runs another operation.
    allowedStatus: () => 409,
  },
  {
    service: 'state',
    method: 'put',
    path: () => '/v1/state/dataproduct',
    body: (d) => ({ ...stateRef(d), state: 'CREATING', operationId: 'matrix-op' }),
    allowed: ['provisioner'],
    domainScoped: false,
    // The data product runs another operation.
    allowedStatus: () => 409,
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
    // matrix-op is not the operation the data product runs.
    allowedStatus: () => 409,
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
    // matrix-op is not the operation the data product runs.
    allowedStatus: () => 409,
  },
  { service: 'state', method: 'get', path: () => '/v1/tokens', allowed: TOKEN_ADMINS, domainScoped: false },
  {
    service: 'state',
    method: 'post',
    path: () => '/v1/tokens',
    body: () => ({ name: 'y', role: 'reader', domains: ['sales'] }),
    allowed: TOKEN_ADMINS,
    domainScoped: false,
    allowedStatus: () => 201,
  },
];

const CALLERS: Caller[] = [
  'anonymous',
  'forged',
  'salesReader',
  'salesDeployer',
  'salesAdmin',
  'admin',
  'provisioner',
  'microservice',
];

function expected(route: RouteCase, caller: Caller, domain: string): Expectation {
  if (route.public) return 'allowed';
  if (caller === 'anonymous' || caller === 'forged') return 'unauthenticated';
  if (!route.allowed.includes(caller)) return 'forbidden';
  const scopedToSales = caller === 'salesReader' || caller === 'salesDeployer' || caller === 'salesAdmin';
  if (route.domainScoped && scopedToSales && domain !== 'sales') return 'forbidden';
  return 'allowed';
}

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ deadPort: await freePort() });
  // Every deploy's resource stays in transit: the state each allowed call meets does not depend on timing.
  platform.gated.hold('a');
});
afterAll(async () => {
  await platform?.close();
});

function tokenOf(caller: Caller): string | undefined {
  if (caller === 'anonymous') return undefined;
  if (caller === 'forged') return `dmp_${'a'.repeat(32)}_${'b'.repeat(43)}`;
  // A microservice's own credential: the gated test technology's.
  if (caller === 'microservice') return platform.tokens.gatedService;
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
      // The first allowed call of a route on a domain meets the state the matrix set up; later ones meet its effect.
      const key = `${ROUTES.indexOf(route)} ${domain}`;
      const first = !calledBefore.has(key);
      calledBefore.add(key);
      expect(response.status).toBe(route.allowedStatus?.(first) ?? 200);
    }
  });
});

/**
 * Token administration, caller × action × token acted on, through the state
 * service and through the provisioner's proxy. Each allowed row expects its
 * exact status; each refused row a 403 that changed nothing: the token table
 * reads the same, and the token acted on keeps its secret.
 */
type TokenCaller =
  | 'admin'
  | 'salesAdmin'
  | 'salesDeployer'
  | 'salesReader'
  | 'provisioner'
  | 'microservice'
  | 'observability';
type Target =
  | 'sales'
  | 'finance'
  | 'salesAndFinance'
  | 'everyDomain'
  | 'salesService'
  | 'issuedByObservability';

interface TokenRow {
  caller: TokenCaller;
  action: 'list' | 'issue' | 'rotate' | 'revoke';
  body?: Record<string, unknown>;
  target?: Target;
  expected: 200 | 201 | 403;
}

const reader = (domains: string[]) => ({ name: 'm', role: 'reader', domains });
const TARGETS: Record<Target, Record<string, unknown>> = {
  sales: { name: 't-sales', role: 'deployer', domains: ['sales'] },
  finance: { name: 't-finance', role: 'deployer', domains: ['finance'] },
  salesAndFinance: { name: 't-both', role: 'reader', domains: ['sales', 'finance'] },
  everyDomain: { name: 't-star', role: 'reader', domains: ['*'] },
  salesService: { name: 't-service', role: 'microservice', domains: ['sales'], technologies: ['gated'] },
  issuedByObservability: { name: 't-function', role: 'reader', domains: ['sales'] },
};

const TOKEN_ROWS: TokenRow[] = [
  { caller: 'admin', action: 'issue', body: { name: 'm', role: 'admin', domains: ['*'] }, expected: 201 },
  {
    caller: 'admin',
    action: 'issue',
    body: { name: 'm', role: 'microservice', domains: ['*'], technologies: ['s3'], kinds: ['outputPort'] },
    expected: 201,
  },
  {
    caller: 'admin',
    action: 'issue',
    body: { name: 'm', role: 'provisioner', domains: ['*'] },
    expected: 201,
  },
  { caller: 'salesAdmin', action: 'issue', body: reader(['sales']), expected: 201 },
  {
    caller: 'salesAdmin',
    action: 'issue',
    body: { name: 'm', role: 'admin', domains: ['sales'] },
    expected: 201,
  },
  {
    caller: 'salesAdmin',
    action: 'issue',
    body: { name: 'm', role: 'admin', domains: ['*'] },
    expected: 403,
  },
  {
    caller: 'salesAdmin',
    action: 'issue',
    body: { name: 'm', role: 'admin', domains: ['finance'] },
    expected: 403,
  },
  { caller: 'salesAdmin', action: 'issue', body: reader(['sales', 'finance']), expected: 403 },
  {
    caller: 'salesAdmin',
    action: 'issue',
    body: { name: 'm', role: 'provisioner', domains: ['sales'] },
    expected: 403,
  },
  {
    caller: 'salesAdmin',
    action: 'issue',
    body: { name: 'm', role: 'microservice', domains: ['sales'], technologies: ['gated'] },
    expected: 403,
  },
  { caller: 'salesDeployer', action: 'issue', body: reader(['sales']), expected: 403 },
  { caller: 'salesReader', action: 'issue', body: reader(['sales']), expected: 403 },
  { caller: 'provisioner', action: 'issue', body: reader(['sales']), expected: 403 },
  { caller: 'microservice', action: 'issue', body: reader(['sales']), expected: 403 },
  { caller: 'observability', action: 'issue', body: reader(['finance']), expected: 201 },
  { caller: 'observability', action: 'issue', body: reader(['*']), expected: 403 },
  { caller: 'observability', action: 'issue', body: reader(['sales', 'finance']), expected: 403 },
  {
    caller: 'observability',
    action: 'issue',
    body: { name: 'm', role: 'deployer', domains: ['sales'] },
    expected: 403,
  },
  {
    caller: 'observability',
    action: 'issue',
    body: { name: 'm', role: 'microservice', domains: ['sales'], technologies: ['gated'] },
    expected: 403,
  },
  ...(['rotate', 'revoke'] as const).flatMap((action): TokenRow[] => [
    { caller: 'admin', action, target: 'everyDomain', expected: 200 },
    { caller: 'admin', action, target: 'salesService', expected: 200 },
    { caller: 'salesAdmin', action, target: 'sales', expected: 200 },
    { caller: 'salesAdmin', action, target: 'issuedByObservability', expected: 200 },
    { caller: 'salesAdmin', action, target: 'finance', expected: 403 },
    { caller: 'salesAdmin', action, target: 'salesAndFinance', expected: 403 },
    { caller: 'salesAdmin', action, target: 'everyDomain', expected: 403 },
    { caller: 'salesAdmin', action, target: 'salesService', expected: 403 },
    { caller: 'salesDeployer', action, target: 'sales', expected: 403 },
    { caller: 'salesReader', action, target: 'sales', expected: 403 },
    { caller: 'provisioner', action, target: 'sales', expected: 403 },
    { caller: 'microservice', action, target: 'sales', expected: 403 },
    { caller: 'observability', action, target: 'issuedByObservability', expected: 200 },
    { caller: 'observability', action, target: 'sales', expected: 403 },
  ]),
  { caller: 'admin', action: 'list', expected: 200 },
  { caller: 'salesAdmin', action: 'list', expected: 200 },
  { caller: 'observability', action: 'list', expected: 200 },
  { caller: 'salesDeployer', action: 'list', expected: 403 },
  { caller: 'salesReader', action: 'list', expected: 403 },
  { caller: 'provisioner', action: 'list', expected: 403 },
  { caller: 'microservice', action: 'list', expected: 403 },
];

interface Summary {
  id: string;
  name: string;
  role: string;
  domains: string[];
  issuedBy?: string;
  revokedAt: string | null;
}

function tokenCallerToken(caller: TokenCaller): string {
  if (caller === 'microservice') return platform.tokens.gatedService;
  if (caller === 'observability') return platform.tokens.observabilityService;
  return platform.tokens[caller];
}

const asCaller = (url: string, caller: TokenCaller) => {
  const bearer = `Bearer ${tokenCallerToken(caller)}`;
  return {
    get: (path: string) => request(url).get(path).set('Authorization', bearer),
    post: (path: string) => request(url).post(path).set('Authorization', bearer),
    delete: (path: string) => request(url).delete(path).set('Authorization', bearer),
  };
};

/** A fresh token to act on; an `issuedByObservability` one is issued by the observability credential. */
async function issueTarget(target: Target): Promise<{ id: string; token: string }> {
  const issuer = target === 'issuedByObservability' ? 'observability' : 'admin';
  const response = await asCaller(platform.stateService.url, issuer).post('/v1/tokens').send(TARGETS[target]);
  expect(response.status).toBe(201);
  return { id: response.body.summary.id, token: response.body.token };
}

async function tokenTable(): Promise<Summary[]> {
  const response = await asCaller(platform.stateService.url, 'admin').get('/v1/tokens');
  expect(response.status).toBe(200);
  return (response.body.items as Summary[]).sort((a, b) => a.id.localeCompare(b.id));
}

const verifies = async (token: string) =>
  (await request(platform.stateService.url).post('/v1/auth/verify').set('Authorization', `Bearer ${token}`))
    .body.id as string | undefined;

describe('token administration matrix', () => {
  const cases = TOKEN_ROWS.flatMap((row) =>
    (['state', 'provisioner'] as const).map((service) => ({
      name: `${service} ${row.action} ${row.target ?? JSON.stringify(row.body ?? '')} as ${row.caller} → ${row.expected}`,
      row,
      service,
    })),
  );

  it.each(cases)('$name', async ({ row, service }) => {
    const url = service === 'provisioner' ? platform.provisioner.url : platform.stateService.url;
    const target = row.target ? await issueTarget(row.target) : undefined;
    const before = await tokenTable();
    const as = asCaller(url, row.caller);
    const response =
      row.action === 'list'
        ? await as.get('/v1/tokens')
        : row.action === 'issue'
          ? await as.post('/v1/tokens').send(row.body)
          : row.action === 'rotate'
            ? await as.post(`/v1/tokens/${target?.id}/rotate`)
            : await as.delete(`/v1/tokens/${target?.id}`);

    expect(response.status).toBe(row.expected);
    if (row.expected === 403) {
      expect(response.body.error).toBe('Forbidden');
      expect(await tokenTable()).toEqual(before);
      if (target) expect(await verifies(target.token)).toBe(target.id);
      return;
    }
    if (row.action === 'rotate' && target) {
      expect(await verifies(response.body.token)).toBe(target.id);
      expect(await verifies(target.token)).toBeUndefined();
    }
    if (row.action === 'revoke' && target) expect(await verifies(target.token)).toBeUndefined();
    if (row.action === 'list') expect(visibleTo(row.caller, response.body.items, before)).toBe(true);
  });
});

/** What each caller's listing must be: exactly the tokens it administers, by the rules written out here. */
function visibleTo(caller: TokenCaller, listed: Summary[], table: Summary[]): boolean {
  const observabilityId = table.find((token) => token.name === 'observability')?.id;
  const expected = table.filter((token) => {
    if (caller === 'admin') return true;
    if (caller === 'observability') return token.issuedBy !== undefined && token.issuedBy === observabilityId;
    return (
      ['reader', 'deployer', 'admin'].includes(token.role) &&
      token.domains.every((domain) => domain === 'sales')
    );
  });
  const ids = (tokens: Summary[]) => tokens.map((token) => token.id).sort();
  expect(ids(listed)).toEqual(ids(expected));
  return expected.length > 0;
}
