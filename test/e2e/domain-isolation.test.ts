import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Platform, readPlatformOptions, startPlatform } from '../../local/platform.js';
import { EXAMPLE_WORKLOAD_ARTIFACT } from '../../microservices/lambda-runtime/default-artifacts.js';
import { ownedFunctionName } from '../../microservices/lambda-runtime/lambda-naming.js';
import { DEFAULT_DISCOVERY_CONFIG } from '../../provisioner/provisioner-config.js';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import { DEFAULT_LOCAL_IAM_TABLE } from '../../shared/iam/local-role-grants.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { freePort } from '../support/free-port.js';
import { GatedProvisioner } from '../support/gated-provisioner.js';
import { removeDir } from '../support/local-stack.js';
import { silentLogger } from '../support/silent-logger.js';

/**
 * Issue 16's isolation suite: the security review's attacks, made again with
 * ordinary credentials against the platform of `npm start`, one `it` per item
 * of the issue's "Why". Two domains, `sales` and `finance`, each with a
 * reader, a deployer and a domain admin issued by the local admin. `sales`
 * deploys the whole resource catalogue once; each probe is made by `finance`
 * (or by a credential an insider could take) and must fail with a 4xx, or a
 * function error for tenant code, and leave everything of the other domain as
 * it was: its state, its objects, its grants in the local IAM table, its
 * tokens, and its function's own answer.
 *
 * One addition to `npm start`: a `gated` test technology in discovery (the
 * real microservice kit, holding its work until released), so that item 6 can
 * be tried during a running operation; and JWT mode, with a JWKS served here.
 * Verified tokens are not cached (`DMP_TOKEN_CACHE_MS=0`), so a secret that
 * still works really was not rotated.
 */

const DATA_BUCKET = 'ms-datamesh-s3';
const ARTIFACT_BUCKET = 'dmp-datamesh-s3';
const ISSUER = 'https://idp.example.test';
const IN_TRANSIT = ['CREATING', 'UPDATING', 'DELETING'];
/** How a probe of the escape artifact reads when the runtime refused it. */
const REFUSED = /^blocked: (ERR_ACCESS_DENIED|EACCES|EPERM)$/;
const ORDERS = 'test/sales/orders/1.0.0';
const ordersRef = { environment: 'test', domain: 'sales', name: 'orders', version: '1.0.0' };

const dataDir = mkdtempSync(join(tmpdir(), 'dmp-isolation-'));
const configDir = mkdtempSync(join(tmpdir(), 'dmp-isolation-config-'));

/**
 * A `finance` deployer's artifact: tries every escape of item 1 and says, for each, what it got. Not
 * tried: the network, which the local runtime does not isolate (docs/local-lambda-runtime.md): a
 * function reaches s3rver and dynalite like any local process, and they accept any credentials.
 */
const ESCAPE_ARTIFACT = `
import fs from 'node:fs';
import childProcess from 'node:child_process';
import { Worker } from 'node:worker_threads';

const attempt = (probe) => {
  try {
    return 'SUCCEEDED: ' + String(probe()).slice(0, 120);
  } catch (error) {
    return 'blocked: ' + (error.code ?? error.name);
  }
};

export const handler = async (event) => {
  switch (event.action) {
    case 'escape':
      return {
        readTokens: attempt(() => fs.readFileSync(event.tokenFile, 'utf8')),
        readDataFolder: attempt(() => fs.readdirSync(event.dataDir).join()),
        readHostname: attempt(() => fs.readFileSync('/etc/hostname', 'utf8')),
        readEnviron: attempt(() => fs.readFileSync('/proc/self/environ', 'utf8')),
        readPlatformEnviron: attempt(() => fs.readFileSync('/proc/' + event.platformPid + '/environ', 'utf8')),
        spawnId: attempt(() => childProcess.execSync('id', { encoding: 'utf8' })),
        spawnShell: attempt(() => childProcess.spawnSync('/bin/sh', ['-c', 'echo pwned']).stdout),
        startWorker: attempt(() => new Worker('1', { eval: true })),
        writeDataFolder: attempt(() => fs.writeFileSync(event.dataDir + '/pwned-by-finance', 'pwned')),
        writeTmp: attempt(() => fs.writeFileSync('/tmp/pwned-by-finance-' + event.platformPid, 'pwned')),
        writeOwnFolder: attempt(() => fs.writeFileSync(new URL('./pwned.txt', import.meta.url), 'pwned')),
        listCodeRoot: attempt(() => fs.readdirSync(event.codeRoot).join()),
        readSalesCode: attempt(() => fs.readFileSync(event.salesCode, 'utf8')),
        overwriteSalesCode: attempt(() =>
          fs.writeFileSync(event.salesCode, 'export const handler = async () => ({ owner: "finance" });\\n'),
        ),
      };
    case 'kill':
      return {
        killPlatform: attempt(() => process.kill(event.platformPid, 'SIGKILL')),
        killParent: attempt(() => process.kill(process.ppid, 'SIGKILL')),
        killGroup: attempt(() => process.kill(0, 'SIGKILL')),
      };
    case 'exit':
      process.kill(process.pid, 'SIGKILL');
      return 'still running';
    case 'fail':
      throw new Error('failed at ' + import.meta.url + ' below ' + new URL('../..', import.meta.url).pathname);
  }
  return 'unknown action';
};
`;

/** A `finance` observability endpoint that hands its whole environment to any anonymous caller (item 4). */
const LEAKY_ARTIFACT = `export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(process.env) });\n`;
/** `sales`' own job, in its own prefix. */
const SALES_JOB = `export const handler = async (event) => ({ owner: 'sales', dataProduct: process.env.DMP_DATA_PRODUCT, event });\n`;

interface ResourceView {
  name: string;
  state: string;
  heartbeatAt?: string | null;
  lastError?: string | null;
  info: Record<string, unknown> | null;
}
interface StateView {
  state: string;
  historySeq?: number;
  resources: ResourceView[];
  lease?: unknown;
}
interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}
type Person = 'reader' | 'deployer' | 'admin';

let platform: Platform;
let jwks: RunningServer;
let gatedService: RunningServer;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
const gated = new GatedProvisioner();
let s3: S3Client;
let dynamo: DynamoDBDocumentClient;
let admin: string;
const people = {} as Record<'sales' | 'finance', Record<Person, string>>;
/** Token ids, by `<domain>-<role>`. */
const tokenIds: Record<string, string> = {};
let orders: StateView;
let salesFunction: string;
let salesCodeFile: string;
let salesEvents: string;
/** Finance's workload running the escape artifact. */
let escapeFunction: string;

async function call(
  url: string,
  token: string | undefined,
  method = 'GET',
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: the text says what it is.
  }
  return { status: response.status, body: parsed, text };
}

const provisioner = (path: string, token: string | undefined, method = 'GET', body?: unknown) =>
  call(`${platform.endpoints.provisioner}${path}`, token, method, body);
const stateService = (path: string, token: string | undefined, method = 'GET', body?: unknown) =>
  call(`${platform.endpoints.stateService}${path}`, token, method, body);
const deploy = (yaml: string, token: string) =>
  call(`${platform.endpoints.provisioner}/v1/dataproduct`, token, 'POST', yaml, 'application/yaml');
const invoke = async (functionName: string, token: string, event: unknown) => {
  const response = await fetch(
    `${platform.endpoints.lambda}/2015-03-31/functions/${functionName}/invocations`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(event),
    },
  );
  return {
    status: response.status,
    functionError: response.headers.get('x-amz-function-error'),
    body: (await response.json()) as Record<string, unknown>,
  };
};

/** Waits for the data product to leave transit, by long-polls on its history sequence. */
async function settled(ref: string, token = admin): Promise<StateView> {
  const deadline = Date.now() + 60_000;
  let query = '';
  for (;;) {
    const { status, body } = await provisioner(`/v1/dataproduct/state/${ref}${query}`, token);
    expect(status, JSON.stringify(body)).toBe(200);
    const state = body as unknown as StateView;
    if (!IN_TRANSIT.includes(state.state)) return state;
    if (Date.now() > deadline) throw new Error(`${ref} still in transit: ${JSON.stringify(state)}`);
    query = `?changedAfter=${state.historySeq ?? 0}&waitMs=5000`;
  }
}

/** Waits until the resource reaches the state, by the same long-polls. */
async function resourceReaches(ref: string, resource: string, wanted: string): Promise<StateView> {
  const deadline = Date.now() + 30_000;
  let query = '';
  for (;;) {
    const { body } = await provisioner(`/v1/dataproduct/state/${ref}${query}`, admin);
    const state = body as unknown as StateView;
    if (state.resources?.find((r) => r.name === resource)?.state === wanted) return state;
    if (Date.now() > deadline)
      throw new Error(`${resource} never became ${wanted}: ${JSON.stringify(state)}`);
    query = `?changedAfter=${state.historySeq ?? 0}&waitMs=5000`;
  }
}

const infoOf = (state: StateView, name: string) =>
  state.resources.find((resource) => resource.name === name)?.info ?? {};

async function objects(bucket: string, prefix: string): Promise<string[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listed.Contents ?? []).map((object) => `${object.Key} ${object.ETag} ${object.Size}`).sort();
}

/** Every inline policy of the local IAM table but `finance`'s own. */
async function grantsNotOfFinance(): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await dynamo.send(
    new ScanCommand({ TableName: DEFAULT_LOCAL_IAM_TABLE, ConsistentRead: true }),
  );
  return Items.filter((item) => !String(item.policyName).includes('.finance.')).sort((a, b) =>
    `${a.roleName} ${a.policyName}`.localeCompare(`${b.roleName} ${b.policyName}`),
  );
}

interface PolicyStatement {
  Resource: string[];
  Condition?: { StringLike?: Record<string, string[]> };
}

/** What the role's inline policies reach in S3: `bucket/key` of each object pattern and each listable prefix. */
async function s3ReachOf(role: string): Promise<string[]> {
  const { Items = [] } = await dynamo.send(
    new ScanCommand({ TableName: DEFAULT_LOCAL_IAM_TABLE, ConsistentRead: true }),
  );
  const reach: string[] = [];
  for (const item of Items.filter((candidate) => candidate.roleName === role)) {
    const { Statement } = JSON.parse(String(item.policyDocument)) as { Statement: PolicyStatement[] };
    for (const statement of Statement) {
      for (const resource of statement.Resource.filter((arn) => arn.startsWith('arn:aws:s3:::'))) {
        const [bucket, key] = resource.replace(/^arn:aws:s3:::/, '').split(/\/(.*)/s);
        if (key !== undefined) reach.push(`${bucket}/${key}`);
        for (const prefix of statement.Condition?.StringLike?.['s3:prefix'] ?? [])
          reach.push(`${bucket}/${prefix}`);
      }
    }
  }
  return reach.sort();
}

/** Every token as the local admin lists it. */
async function allTokens(): Promise<Record<string, unknown>[]> {
  const { status, body } = await provisioner('/v1/tokens', admin);
  expect(status).toBe(200);
  return body.items as Record<string, unknown>[];
}

const isFinanceOnly = (token: Record<string, unknown>) =>
  JSON.stringify(token.domains) === JSON.stringify(['finance']);

/** Everything `sales` owns, as its reader, S3, the local IAM table, the token table and its function say. */
async function salesSide() {
  // From the state service: its document carries the lease too.
  const state = await stateService(`/v1/state/dataproduct/${ORDERS}`, people.sales.reader);
  const history = await provisioner(`/v1/dataproduct/history/${ORDERS}?limit=500`, people.sales.reader);
  const events = await call(salesEvents, people.sales.reader);
  const answer = await invoke(salesFunction, people.sales.deployer, { run: 'isolation' });
  const status = await call(`${String(infoOf(orders, 'quality').url)}/status`, undefined);
  // No secret of sales was rotated: each still works (nothing caches verified tokens here).
  const verified = await Promise.all(
    Object.values(people.sales).map(
      async (token) => (await stateService('/v1/auth/verify', token, 'POST')).status,
    ),
  );
  // Sales still works: what is compared below is what it owns, not a refusal.
  expect([state.status, history.status, events.status, status.status]).toEqual([200, 200, 200, 200]);
  expect(verified).toEqual([200, 200, 200]);
  expect(state.body).toMatchObject({ state: 'CREATED', lease: null });
  expect(JSON.stringify(events.body)).toContain('a secret of sales');
  expectOwnAnswer(answer);
  return {
    state: { status: state.status, body: state.body },
    history: history.body,
    events: { status: events.status, body: events.body },
    data: await objects(DATA_BUCKET, 'test/sales/'),
    artifacts: await objects(ARTIFACT_BUCKET, 'test/sales/'),
    platformArtifacts: await objects(ARTIFACT_BUCKET, 'artifacts/'),
    grants: await grantsNotOfFinance(),
    tokens: (await allTokens()).filter((token) => !isFinanceOnly(token)),
    code: readFileSync(salesCodeFile, 'utf8'),
    answer,
    observability: { status: status.status, body: status.body },
  };
}

/** What sales' function answers to the suite's event: its own data product and dependencies. */
function expectOwnAnswer(answer: Awaited<ReturnType<typeof invoke>>) {
  expect(answer.status).toBe(200);
  expect(answer.functionError).toBeNull();
  expect(answer.body).toMatchObject({
    dataProduct: ORDERS,
    resource: 'order_counter',
    variables: { DMP_DEP_ORDERS_RAW_URI: `s3://${DATA_BUCKET}/test/sales/orders/` },
    event: { run: 'isolation' },
  });
}

function dataProduct(
  domain: string,
  name: string,
  parts: { outputPorts?: unknown[]; workloads?: unknown[]; observability?: unknown[] },
): string {
  return dump({
    name,
    domain,
    version: '1.0.0',
    environment: { name: 'test', specific: {} },
    outputPorts: parts.outputPorts ?? [],
    workloads: parts.workloads ?? [],
    observability: parts.observability ?? [],
  });
}

function folder(domain: string, name: string, bucket: string, directory: string) {
  return {
    name,
    type: 'raw',
    technology: 's3cdp',
    description: 'a folder',
    owner: `${domain}-owner`,
    allow: [`${domain}-reader`],
    dependsOn: [],
    specific: { bucket, directory },
  };
}

function workload(domain: string, name: string, artifact: string, handler: string, lambdaName?: string) {
  return {
    name,
    type: 'batch',
    technology: 'aws-lambda',
    description: 'a job',
    owner: `${domain}-owner`,
    allow: [],
    dependsOn: [],
    specific: { bucket: ARTIFACT_BUCKET, artifact, handler, ...(lambdaName ? { lambdaName } : {}) },
  };
}

async function putObject(bucket: string, key: string, body: string) {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

const jwt = (claims: Record<string, unknown>, expires: string | null = '5m') => {
  let builder = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'isolation' })
    .setIssuer(ISSUER)
    .setAudience('dmp')
    .setSubject('mallory@example.test')
    .setIssuedAt();
  if (expires !== null) builder = builder.setExpirationTime(expires);
  return builder.sign(privateKey);
};

/** The platform's own credentials, as an insider who can read the data folder finds them. */
const platformCredentials = () =>
  JSON.parse(readFileSync(platform.tokenFile, 'utf8')) as Record<
    'admin' | 'provisioner' | 's3' | 'eventStore' | 'observability' | 'workload',
    string
  >;

beforeAll(async () => {
  const keys = await generateKeyPair('RS256');
  privateKey = keys.privateKey;
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'isolation', alg: 'RS256', use: 'sig' };
  const jwksApp = express();
  jwksApp.get('/jwks.json', (_req, res) => {
    res.json({ keys: [publicJwk] });
  });
  jwks = await serve(jwksApp, 0);

  const gatedPort = await freePort();
  const discovery = load(readFileSync(DEFAULT_DISCOVERY_CONFIG, 'utf8')) as {
    environments: { test: { technologies: Record<string, unknown> } };
  };
  discovery.environments.test.technologies.gated = { url: `http://127.0.0.1:${gatedPort}` };
  const discoveryFile = join(configDir, 'discovery.yaml');
  writeFileSync(discoveryFile, dump(discovery));

  platform = await startPlatform(
    readPlatformOptions({
      DMP_DATA_DIR: dataDir,
      DMP_LOG_LEVEL: 'silent',
      DMP_DISCOVERY_CONFIG: discoveryFile,
      DMP_TOKEN_CACHE_MS: '0',
      DMP_STATE_TOKEN_CACHE_MS: '0',
      DMP_JWT_JWKS_URL: `${jwks.url}/jwks.json`,
      DMP_JWT_ISSUER: ISSUER,
      DMP_JWT_AUDIENCE: 'dmp',
      ...Object.fromEntries(
        [
          'DMP_DYNAMODB_PORT',
          'DMP_S3_PORT',
          'DMP_PROVISIONER_PORT',
          'DMP_STATE_SERVICE_PORT',
          'DMP_S3_SERVICE_PORT',
          'DMP_EVENT_STORE_PORT',
          'DMP_OBSERVABILITY_PORT',
          'DMP_WORKLOAD_PORT',
          'DMP_LAMBDA_SERVER_PORT',
        ].map((port) => [port, '0']),
      ),
    }),
  );
  admin = platform.adminToken;
  s3 = createS3Client({ s3Endpoint: platform.endpoints.s3 });
  dynamo = createDynamoDocumentClient({ dynamoDbEndpoint: platform.endpoints.dynamoDb });

  for (const domain of ['sales', 'finance'] as const) {
    people[domain] = {} as Record<Person, string>;
    for (const role of ['reader', 'deployer', 'admin'] as const) {
      const issued = await provisioner('/v1/tokens', admin, 'POST', {
        name: `${domain}-${role}`,
        role,
        domains: [domain],
      });
      expect(issued.status).toBe(201);
      people[domain][role] = issued.body.token as string;
      tokenIds[`${domain}-${role}`] = (issued.body.summary as { id: string }).id;
    }
  }
  const gatedCredential = await provisioner('/v1/tokens', admin, 'POST', {
    name: 'gated',
    role: 'microservice',
    domains: ['*'],
    technologies: ['gated'],
  });
  expect(gatedCredential.status).toBe(201);
  gatedService = await startResourceService({
    service: 'gated',
    provisioner: gated,
    stateServiceUrl: platform.endpoints.stateService,
    host: '127.0.0.1',
    port: gatedPort,
    logger: silentLogger,
    heartbeatMs: 200,
    serviceToken: gatedCredential.body.token as string,
  });

  // Sales: the whole catalogue, some data, an event, and a job of its own in its own prefix.
  const catalogue = readFileSync(
    new URL('../../examples/data-products/orders.yaml', import.meta.url),
    'utf8',
  );
  expect((await deploy(catalogue, people.sales.deployer)).status).toBe(202);
  orders = await settled(ORDERS);
  expect(orders.state).toBe('CREATED');
  await putObject(DATA_BUCKET, 'test/sales/orders/day1.csv', 'id\n1\n');
  await putObject(ARTIFACT_BUCKET, 'test/sales/jobs/count.mjs', SALES_JOB);
  salesEvents = String(infoOf(orders, 'order_events').endpoint).replace('{aggregateId}', 'order-42');
  const appended = await call(salesEvents, people.sales.deployer, 'POST', {
    expectedVersion: 'no_stream',
    events: [
      {
        metadata: {
          id: 'evt-1',
          timestamp: '1566833470262',
          source: 'webshop',
          eventType: 'OrderPlaced',
          owner: 'sales',
        },
        data: { orderId: 42, customer: 'a secret of sales' },
      },
    ],
  });
  expect(appended.status).toBe(201);
  salesFunction = String(infoOf(orders, 'order_counter').functionName);
  const salesFolder = join(dataDir, 'lambda', salesFunction);
  salesCodeFile = join(salesFolder, readdirSync(salesFolder)[0] as string, 'show-dependencies.mjs');
  expectOwnAnswer(await invoke(salesFunction, people.sales.deployer, { run: 'isolation' }));

  // Finance: an escape artifact and a leaky endpoint in its own prefix; the artifact deployed as an ordinary workload.
  await putObject(ARTIFACT_BUCKET, 'test/finance/jobs/escape.mjs', ESCAPE_ARTIFACT);
  await putObject(ARTIFACT_BUCKET, 'test/finance/status/leaky.mjs', LEAKY_ARTIFACT);
  const escapeYaml = dataProduct('finance', 'escape', {
    workloads: [workload('finance', 'probe', 'test/finance/jobs/escape.mjs', 'escape.handler')],
  });
  expect((await deploy(escapeYaml, people.finance.deployer)).status).toBe(202);
  const escapeProduct = await settled('test/finance/escape/1.0.0', people.finance.reader);
  expect(escapeProduct.state).toBe('CREATED');
  escapeFunction = String(infoOf(escapeProduct, 'probe').functionName);
}, 120_000);

afterAll(async () => {
  gated.release();
  s3?.destroy();
  await gatedService?.close();
  await platform?.close();
  await jwks?.close();
  removeDir(dataDir);
  removeDir(configDir);
});

describe('the wall between domains on the platform of npm start (issue 16)', () => {
  it('1. a finance artifact reads, writes, spawns and kills nothing outside its code, and the platform stays up', async () => {
    const before = await salesSide();
    const tokenFileBefore = readFileSync(platform.tokenFile, 'utf8');
    const event = {
      tokenFile: platform.tokenFile,
      dataDir,
      codeRoot: join(dataDir, 'lambda'),
      salesCode: salesCodeFile,
      platformPid: process.pid,
    };

    const escaped = await invoke(escapeFunction, people.finance.deployer, { ...event, action: 'escape' });
    expect(escaped.functionError).toBeNull();
    const report = escaped.body as Record<string, string>;
    expect(Object.keys(report)).toHaveLength(14);
    // Refused by the runtime (the permission model, or the invocation user), never a probe that missed its target.
    expect(Object.entries(report).filter(([, outcome]) => !REFUSED.test(outcome))).toEqual([]);
    const killed = await invoke(escapeFunction, people.finance.deployer, { ...event, action: 'kill' });
    expect(killed.body).toEqual({
      killPlatform: 'blocked: EPERM',
      killParent: 'blocked: EPERM',
      killGroup: 'blocked: EPERM',
    });
    // Killing itself ends its own invocation, with a function error.
    expect(await invoke(escapeFunction, people.finance.deployer, { action: 'exit' })).toMatchObject({
      status: 200,
      functionError: 'Unhandled',
      body: { errorType: 'Runtime.ExitError' },
    });

    for (const [service, url] of Object.entries(platform.endpoints)) {
      if (service === 'dynamoDb' || service === 's3') continue;
      expect((await fetch(`${url}/healthz`)).status, service).toBe(200);
    }
    expect(readFileSync(platform.tokenFile, 'utf8')).toBe(tokenFileBefore);
    expect(existsSync(join(dataDir, 'pwned-by-finance'))).toBe(false);
    expect(existsSync(`/tmp/pwned-by-finance-${process.pid}`)).toBe(false);
    expect(await salesSide()).toEqual(before);
  });

  it("2. finance folders named after sales' (same, parent, child) or the platform's land in finance's space, and their removeData deletes erase nothing else", async () => {
    const before = await salesSide();
    const claims = [
      // With an event port archiving where sales' port archives.
      {
        name: 'same',
        bucket: DATA_BUCKET,
        directory: 'test/sales/orders',
        archive: 'test/sales/orders/events',
      },
      { name: 'parent', bucket: DATA_BUCKET, directory: 'test/sales' },
      { name: 'child', bucket: DATA_BUCKET, directory: 'test/sales/orders/events' },
      { name: 'platform', bucket: ARTIFACT_BUCKET, directory: 'artifacts' },
    ];
    // One after the other: finance's own folders overlap each other, and one owner per folder holds within a domain too.
    for (const claim of claims) {
      const ref = `test/finance/claim-${claim.name}/1.0.0`;
      const archive = 'archive' in claim ? claim.archive : undefined;
      const eventPort = {
        name: 'ledger_events',
        type: 'events',
        technology: 'event-store',
        description: 'archives next to sales',
        owner: 'finance-owner',
        allow: [],
        dependsOn: ['stolen'],
        specific: { archive: { bucket: claim.bucket, directory: archive } },
      };
      const yaml = dataProduct('finance', `claim-${claim.name}`, {
        outputPorts: [
          folder('finance', 'stolen', claim.bucket, claim.directory),
          ...(archive ? [eventPort] : []),
        ],
      });
      expect((await deploy(yaml, people.finance.deployer)).status).toBe(202);
      const created = await settled(ref, people.finance.reader);
      expect(created.state, JSON.stringify(created)).toBe('CREATED');
      const placed = `test/finance/${claim.directory}/`;
      expect(infoOf(created, 'stolen').uri, claim.name).toBe(`s3://${claim.bucket}/${placed}`);
      // Whatever finance-owner was granted lies in finance's space.
      const reach = await s3ReachOf('finance-owner');
      expect(reach, claim.name).toEqual([
        `${claim.bucket}/${placed}`,
        `${claim.bucket}/${placed}*`,
        `${claim.bucket}/${placed}*`,
      ]);
      await putObject(claim.bucket, `${placed}finance.csv`, 'finance\n');
      if (archive) {
        const port = infoOf(created, 'ledger_events');
        expect(port.archiveUri).toBe(`s3://${claim.bucket}/test/finance/${archive}/ledger_events/v1/`);
        const appended = await call(
          String(port.endpoint).replace('{aggregateId}', 'order-42'),
          people.finance.deployer,
          'POST',
          {
            expectedVersion: 'no_stream',
            events: [
              {
                metadata: {
                  id: 'evt-1',
                  timestamp: '1566833470262',
                  source: 'ledger',
                  eventType: 'OrderPlaced',
                  owner: 'finance',
                },
                data: { orderId: 42 },
              },
            ],
          },
        );
        expect(appended.status).toBe(201);
        expect(await objects(claim.bucket, `test/finance/${archive}/`)).toHaveLength(1);
      }

      expect(
        (await provisioner(`/v1/dataproduct/${ref}?removeData=true`, people.finance.deployer, 'DELETE'))
          .status,
      ).toBe(202);
      expect((await settled(ref, people.finance.reader)).state).toBe('DELETED');
      // removeData did run: finance's own object is gone.
      expect(await objects(claim.bucket, placed)).toEqual([]);
    }
    expect(await s3ReachOf('finance-owner')).toEqual([]);
    expect(await salesSide()).toEqual(before);
  });

  it('3. a sales-only admin, by dmp token or JWT, administers sales tokens only: no *, no finance, no service credential', async () => {
    const tokensBefore = await allTokens();
    const ids = (predicate: (token: Record<string, unknown>) => boolean) =>
      tokensBefore.filter(predicate).map((token) => String(token.id));
    const financeIds = ids(isFinanceOnly);
    const serviceIds = ids((token) => ['provisioner', 'microservice'].includes(String(token.role)));
    const localAdminId = ids((token) => token.name === 'local-admin');
    expect(financeIds).toHaveLength(3);
    expect(serviceIds.length).toBeGreaterThanOrEqual(5);
    const salesAdminJwt = await jwt({ dmp_role: 'admin', dmp_domains: ['sales'] });

    for (const [credential, salesAdmin] of [
      ['dmp token', people.sales.admin],
      ['JWT', salesAdminJwt],
    ] as const) {
      const listed = await provisioner('/v1/tokens', salesAdmin);
      expect(listed.status, credential).toBe(200);
      const items = listed.body.items as Record<string, unknown>[];
      expect(items.map((token) => token.id).sort(), credential).toEqual(
        ids((token) => JSON.stringify(token.domains) === '["sales"]' && !token.technologies).sort(),
      );
      expect(items.map((token) => token.id)).toEqual(
        expect.arrayContaining([
          tokenIds['sales-reader'],
          tokenIds['sales-deployer'],
          tokenIds['sales-admin'],
        ]),
      );

      for (const escalation of [
        { name: 'root', role: 'admin', domains: ['*'] },
        { name: 'everyone-reader', role: 'reader', domains: ['*'] },
        { name: 'ledger-admin', role: 'admin', domains: ['finance'] },
        { name: 'both', role: 'deployer', domains: ['sales', 'finance'] },
        { name: 'fake-provisioner', role: 'provisioner', domains: ['*'] },
        { name: 'sales-provisioner', role: 'provisioner', domains: ['sales'] },
        { name: 'fake-s3', role: 'microservice', domains: ['*'], technologies: ['s3', 's3cdp'] },
        { name: 'sales-s3', role: 'microservice', domains: ['sales'], technologies: ['s3'] },
      ]) {
        const refused = await provisioner('/v1/tokens', salesAdmin, 'POST', escalation);
        expect(refused.status, `${credential} issuing ${escalation.name}`).toBe(403);
      }
      for (const id of [...financeIds, ...serviceIds, ...localAdminId]) {
        expect((await provisioner(`/v1/tokens/${id}/rotate`, salesAdmin, 'POST')).status, credential).toBe(
          403,
        );
        expect((await provisioner(`/v1/tokens/${id}`, salesAdmin, 'DELETE')).status, credential).toBe(403);
      }
    }
    // Nobody below admin administers tokens, not even within their domain.
    for (const person of [people.sales.deployer, people.sales.reader]) {
      expect((await provisioner('/v1/tokens', person)).status).toBe(403);
      expect(
        (await provisioner('/v1/tokens', person, 'POST', { name: 'x', role: 'reader', domains: ['sales'] }))
          .status,
      ).toBe(403);
    }

    expect(await allTokens()).toEqual(tokensBefore);
    // Finance's secrets still work (asked of the state service itself, which caches nothing here).
    for (const role of ['reader', 'deployer', 'admin'] as const) {
      const verified = await stateService('/v1/auth/verify', people.finance[role], 'POST');
      expect(verified.status, role).toBe(200);
      expect(verified.body).toMatchObject({ role, domains: ['finance'] });
    }
    for (const [name, token] of Object.entries(platformCredentials())) {
      expect((await stateService('/v1/auth/verify', token, 'POST')).status, name).toBe(200);
    }
  });

  it("4. an observability function's token, handed out by its own endpoint, reads its own domain's state and nothing of sales", async () => {
    const before = await salesSide();
    const yaml = dataProduct('finance', 'ledger-status', {
      observability: [
        {
          name: 'leaky',
          type: 'metrics',
          technology: 'aws-lambda',
          description: 'hands out its environment',
          dependsOn: [],
          specific: {
            restAPI: 'dmp-observability',
            bucket: ARTIFACT_BUCKET,
            observabilityEndpoint: [
              {
                artifact: 'test/finance/status/leaky.mjs',
                handler: 'leaky.handler',
                lambdaName: 'leaky',
                path: 'leaky',
              },
            ],
          },
        },
      ],
    });
    expect((await deploy(yaml, people.finance.deployer)).status).toBe(202);
    const ledger = await settled('test/finance/ledger-status/1.0.0', people.finance.reader);
    expect(ledger.state, JSON.stringify(ledger)).toBe('CREATED');

    const leaked = await call(String(infoOf(ledger, 'leaky').url), undefined);
    expect(leaked.status).toBe(200);
    const stolen = String(leaked.body.DMP_STATE_TOKEN);
    expect(stolen).toMatch(/^dmp_/);
    const stateUrl = String(leaked.body.DMP_STATE_SERVICE_URL);
    const summary = (await allTokens()).find((token) => token.id === stolen.slice('dmp_'.length, 36));
    expect(summary).toMatchObject({
      role: 'reader',
      domains: ['finance'],
      serviceIssued: true,
      revokedAt: null,
    });

    // It works for what it is for: its own data product's state.
    expect(
      (await call(`${stateUrl}/v1/state/dataproduct/test/finance/ledger-status/1.0.0`, stolen)).status,
    ).toBe(200);
    for (const [what, url, method] of [
      ["sales' state", `${stateUrl}/v1/state/dataproduct/${ORDERS}`, 'GET'],
      ["sales' listing", `${stateUrl}/v1/state/dataproduct?domain=sales`, 'GET'],
      ["sales' history", `${stateUrl}/v1/state/dataproduct/history/${ORDERS}`, 'GET'],
      [
        "sales' state through the provisioner",
        `${platform.endpoints.provisioner}/v1/dataproduct/state/${ORDERS}`,
        'GET',
      ],
      ["sales' event payloads", salesEvents, 'GET'],
      ['the token table', `${platform.endpoints.provisioner}/v1/tokens`, 'GET'],
      ["sales' data product", `${platform.endpoints.provisioner}/v1/dataproduct/${ORDERS}`, 'DELETE'],
    ] as const) {
      expect((await call(url, stolen, method)).status, what).toBe(403);
    }
    expect(await salesSide()).toEqual(before);
  });

  it('5. a JWT claiming a service role, or without exp, is refused, and changes nothing', async () => {
    const before = await salesSide();
    const tokensBefore = await allTokens();
    // JWT mode is on: a person's JWT with an expiry reads its own domain.
    const reader = await jwt({ dmp_role: 'reader', dmp_domains: ['sales'] });
    expect((await provisioner(`/v1/dataproduct/state/${ORDERS}`, reader)).status).toBe(200);

    const provisionerJwt = await jwt({ dmp_role: 'provisioner', dmp_domains: ['*'] });
    const microserviceJwt = await jwt({ dmp_role: 'microservice', dmp_domains: ['*'] });
    const foreverAdmin = await jwt({ dmp_role: 'admin', dmp_domains: ['*'] }, null);
    const foreverDeployer = await jwt({ dmp_role: 'deployer', dmp_domains: ['sales'] }, null);
    const ordersOperation = String((orders as unknown as { operationId: string }).operationId);
    const orderKey = { environment: 'test', domain: 'sales', dataProduct: 'orders', version: '1.0.0' };
    const attempts: [string, Promise<Answer>][] = [
      [
        'provisioner JWT takes the lease',
        stateService('/v1/state/dataproduct/lease', provisionerJwt, 'POST', {
          ...ordersRef,
          action: 'claim',
          owner: 'mallory',
          operationId: ordersOperation,
          ttlMs: 60_000,
        }),
      ],
      [
        'provisioner JWT moves the data product',
        stateService('/v1/state/dataproduct', provisionerJwt, 'POST', {
          ...ordersRef,
          state: 'DELETING',
          operationId: ordersOperation,
        }),
      ],
      [
        'microservice JWT writes a resource',
        stateService('/v1/state/dataproduct/resource', microserviceJwt, 'POST', {
          ...orderKey,
          name: 'orders_raw',
          state: 'FAILED',
          operationId: ordersOperation,
          attempt: 1,
        }),
      ],
      [
        "microservice JWT reads finance's state",
        stateService('/v1/state/dataproduct?domain=finance', microserviceJwt),
      ],
      [
        "microservice JWT reads sales' state",
        stateService(`/v1/state/dataproduct/${ORDERS}`, microserviceJwt),
      ],
      [
        "admin JWT without exp deletes sales' data",
        provisioner(`/v1/dataproduct/${ORDERS}?removeData=true`, foreverAdmin, 'DELETE'),
      ],
      [
        'admin JWT without exp issues a token',
        provisioner('/v1/tokens', foreverAdmin, 'POST', { name: 'x', role: 'admin', domains: ['*'] }),
      ],
      [
        "deployer JWT without exp cancels sales' operation",
        provisioner(`/v1/dataproduct/${ORDERS}/cancel`, foreverDeployer, 'POST'),
      ],
      [
        "deployer JWT without exp reads sales' state",
        provisioner(`/v1/dataproduct/state/${ORDERS}`, foreverDeployer),
      ],
    ];
    for (const [what, attempt] of attempts) expect((await attempt).status, what).toBe(401);
    expect(await allTokens()).toEqual(tokensBefore);
    expect(await salesSide()).toEqual(before);
  });

  it("6. a microservice's credential, taken from the data folder, writes no resource of another technology or outside the running operation, and reads no event payload", async () => {
    const credentials = platformCredentials();
    const pipeline = 'test/sales/pipeline/1.0.0';
    const key = {
      environment: 'test',
      domain: 'sales',
      dataProduct: 'pipeline',
      version: '1.0.0',
      attempt: 1,
    };
    gated.hold('held');
    const yaml = dataProduct('sales', 'pipeline', {
      outputPorts: [
        {
          name: 'held',
          type: 'raw',
          technology: 'gated',
          description: 'held by the gated test microservice until released',
          owner: 'sales-owner',
          allow: [],
          dependsOn: [],
          specific: {},
        },
      ],
    });
    const deployed = await deploy(yaml, people.sales.deployer);
    expect(deployed.status).toBe(202);
    const operationId = String(deployed.body.operationId);
    await resourceReaches(pipeline, 'held', 'CREATING');
    /** The running data product without what moves on its own while work is held (heartbeats, the lease). */
    const pipelineSide = async () => {
      const document = (await stateService(`/v1/state/dataproduct/${pipeline}`, admin))
        .body as unknown as StateView;
      const { lease: _lease, resources, ...rest } = document;
      return {
        document: { ...rest, resources: resources.map(({ heartbeatAt: _h, ...resource }) => resource) },
        history: (await stateService(`/v1/state/dataproduct/history/${pipeline}?limit=500`, admin)).body,
      };
    };
    const before = { pipeline: await pipelineSide(), sales: await salesSide() };
    const write = (token: string, body: Record<string, unknown>) =>
      stateService('/v1/state/dataproduct/resource', token, 'POST', { ...key, operationId, ...body });

    const forbidden: [string, Promise<Answer>][] = [
      [
        'S3 adds an event-store resource pointing elsewhere',
        write(credentials.s3, {
          name: 'evil',
          kind: 'outputPort',
          technology: 'event-store',
          state: 'CREATING',
          info: { endpoint: 'http://attacker.example' },
        }),
      ],
      [
        'S3 adds a resource of its own technology nobody declared',
        write(credentials.s3, { name: 'evil', kind: 'outputPort', technology: 's3cdp', state: 'CREATING' }),
      ],
      [
        'S3 fails the gated resource',
        write(credentials.s3, { name: 'held', state: 'FAILED', lastError: 'sabotage' }),
      ],
      [
        'the workload service fails it',
        write(credentials.workload, { name: 'held', state: 'FAILED', lastError: 'x' }),
      ],
      [
        'the event store fails it',
        write(credentials.eventStore, { name: 'held', state: 'FAILED', lastError: 'x' }),
      ],
      [
        'observability calls it done',
        write(credentials.observability, {
          name: 'held',
          state: 'CREATED',
          info: { url: 'http://attacker.example' },
        }),
      ],
      [
        'the event store heartbeats it',
        stateService('/v1/state/dataproduct/resource/heartbeat', credentials.eventStore, 'POST', {
          ...key,
          name: 'held',
          operationId,
        }),
      ],
    ];
    for (const [what, attempt] of forbidden) {
      const answer = await attempt;
      expect(answer.status, `${what}: ${answer.text}`).toBe(403);
    }
    // Its own technology, but no operation of orders is running: the write names one that is not.
    for (const [what, token, name] of [
      ["S3 fails sales' folder", credentials.s3, 'orders_raw'],
      ["the event store fails sales' event port", credentials.eventStore, 'order_events'],
    ] as const) {
      const answer = await stateService('/v1/state/dataproduct/resource', token, 'POST', {
        environment: 'test',
        domain: 'sales',
        dataProduct: 'orders',
        version: '1.0.0',
        name,
        state: 'FAILED',
        lastError: 'sabotage',
        operationId,
        attempt: 1,
      });
      expect(answer.status, `${what}: ${answer.text}`).toBe(409);
    }
    // No service credential reads a domain's event payloads.
    for (const [name, token] of Object.entries(credentials).filter(([name]) => name !== 'admin')) {
      expect((await call(salesEvents, token)).status, name).toBe(403);
    }
    expect(await pipelineSide()).toEqual(before.pipeline);
    expect(await salesSide()).toEqual(before.sales);

    gated.release('held');
    const finished = await settled(pipeline);
    expect(finished.state).toBe('CREATED');
    expect(finished.resources.map((resource) => `${resource.name} ${resource.state}`)).toEqual([
      'held CREATED',
    ]);
  });

  it("7. a finance workload can neither run sales' artifact nor squat the function name of sales' next data product", async () => {
    const before = await salesSide();
    const refused = await deploy(
      dataProduct('finance', 'borrower', {
        workloads: [workload('finance', 'job', 'test/sales/jobs/count.mjs', 'count.handler')],
      }),
      people.finance.deployer,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        path: '/workloads/0/specific/artifact',
        message: expect.stringContaining("must lie under this domain's own prefix test/finance/"),
      }),
    ]);
    expect((await provisioner('/v1/dataproduct/state/test/finance/borrower/1.0.0', admin)).status).toBe(404);

    const returns = { environment: 'test', domain: 'sales', name: 'returns', version: '1.0.0' };
    const wanted = ownedFunctionName('dmp-wl', returns, 'counter');
    const squat = await deploy(
      dataProduct('finance', 'squatter', {
        workloads: [
          workload(
            'finance',
            'counter',
            EXAMPLE_WORKLOAD_ARTIFACT.key,
            EXAMPLE_WORKLOAD_ARTIFACT.handler,
            wanted,
          ),
        ],
      }),
      people.finance.deployer,
    );
    expect(squat.status).toBe(202);
    const squatter = await settled('test/finance/squatter/1.0.0', people.finance.reader);
    expect(squatter.state).toBe('CREATED');
    const financeName = String(infoOf(squatter, 'counter').functionName);
    expect(financeName).toMatch(/^dmp-wl-finance-/);
    expect(financeName).not.toBe(wanted);
    // Nor may finance run sales' functions.
    expect((await invoke(salesFunction, people.finance.deployer, {})).status).toBe(403);
    expect(await salesSide()).toEqual(before);

    // Sales' next data product gets the name it was always going to have, and its own code.
    const salesYaml = dataProduct('sales', 'returns', {
      workloads: [workload('sales', 'counter', 'test/sales/jobs/count.mjs', 'count.handler')],
    });
    expect((await deploy(salesYaml, people.sales.deployer)).status).toBe(202);
    const created = await settled('test/sales/returns/1.0.0', people.sales.reader);
    expect(created.state, JSON.stringify(created)).toBe('CREATED');
    expect(infoOf(created, 'counter').functionName).toBe(wanted);
    expect(await invoke(wanted, people.sales.deployer, { n: 1 })).toMatchObject({
      status: 200,
      functionError: null,
      body: { owner: 'sales', dataProduct: 'test/sales/returns/1.0.0', event: { n: 1 } },
    });
  });

  it('8. a crafted cursor, an odd token proxy path and a failing function give 4xx or function errors naming nothing of the host', async () => {
    const before = await salesSide();
    const internal = [
      platform.endpoints.stateService,
      new URL(platform.endpoints.stateService).host,
      dataDir,
      tmpdir(),
    ];
    const revealsNothing = (what: string, text: string) => {
      for (const secret of internal) expect(text, what).not.toContain(secret);
      expect(text, what).not.toContain('file://');
    };

    // Listing cursors: sales' own, replayed by finance on its listing; one made up; one altered.
    const page = await provisioner('/v1/dataproduct?domain=sales&limit=1', people.sales.reader);
    expect(page.status).toBe(200);
    const cursor = String(page.body.cursor);
    expect(cursor).not.toBe('undefined');
    const madeUp = `${Buffer.from(JSON.stringify({ pk: 'test#sales#orders#1.0.0', sk: 'dataproduct' })).toString('base64url')}.${'A'.repeat(43)}`;
    const altered = `${cursor.slice(0, 4)}${cursor[4] === 'A' ? 'B' : 'A'}${cursor.slice(5)}`;
    for (const [what, token, query] of [
      [
        "sales' cursor on finance's listing",
        people.finance.reader,
        `domain=finance&cursor=${encodeURIComponent(cursor)}`,
      ],
      ['a made-up cursor', people.finance.reader, `domain=finance&cursor=${madeUp}`],
      [
        'an altered cursor',
        people.sales.reader,
        `domain=sales&limit=1&cursor=${encodeURIComponent(altered)}`,
      ],
      ['a cursor that is no cursor', people.sales.reader, 'domain=sales&cursor=%7B%22pk%22%3A1%7D'],
    ] as const) {
      const answer = await provisioner(`/v1/dataproduct?${query}`, token);
      expect(answer.status, what).toBe(400);
      expect(answer.body.errors, what).toEqual([expect.objectContaining({ path: '/query/cursor' })]);
      revealsNothing(what, answer.text);
    }

    // The token proxy: nothing in the request line reaches another state service route.
    for (const [what, method, path] of [
      ['an encoded path as a token id', 'POST', '/v1/tokens/..%2F..%2Fstate%2Fdataproduct%2Fcancel/rotate'],
      [
        'an encoded path to delete',
        'DELETE',
        `/v1/tokens/..%2F..%2Fstate%2Fdataproduct%2F${encodeURIComponent(ORDERS)}`,
      ],
      [
        'an encoded path below the listing',
        'GET',
        '/v1/tokens/..%2F..%2Fstate%2Fdataproduct%3Fdomain%3Dfinance',
      ],
      ['a dot segment below the listing', 'GET', '/v1/tokens/%2e%2e/state/dataproduct?domain=finance'],
      ['a query meant for another route', 'GET', '/v1/tokens?domain=finance&next=/v1/state/dataproduct'],
    ] as const) {
      const answer = await provisioner(path, people.sales.admin, method);
      expect(answer.status, what).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      // An error about the request, not another route's answer.
      expect(
        Object.keys(answer.body).filter((field) => !['error', 'message', 'errors'].includes(field)),
        what,
      ).toEqual([]);
      revealsNothing(what, answer.text);
    }

    // A failing function says what failed in its own terms, not where the platform keeps it.
    const failed = await invoke(escapeFunction, people.finance.deployer, { action: 'fail' });
    expect(failed).toMatchObject({ status: 200, functionError: 'Unhandled', body: { errorType: 'Error' } });
    expect(String(failed.body.errorMessage)).toMatch(/^failed at escape\.mjs below /);
    revealsNothing('a function error', JSON.stringify(failed.body));
    const unknown = await invoke('..%2F..%2Fetc', people.finance.deployer, {});
    expect(unknown.status).toBeGreaterThanOrEqual(400);
    revealsNothing('an odd function name', JSON.stringify(unknown.body));
    // A package that is no zip, and a handler whose module is missing: the deploy fails, naming only the artifact.
    await putObject(ARTIFACT_BUCKET, 'test/finance/jobs/broken.zip', 'not a zip at all');
    const broken = dataProduct('finance', 'broken', {
      workloads: [
        workload('finance', 'unzip', 'test/finance/jobs/broken.zip', 'index.handler'),
        workload('finance', 'missing', 'test/finance/jobs/escape.mjs', 'lib/missing.handler'),
      ],
    });
    expect((await deploy(broken, people.finance.deployer)).status).toBe(202);
    const brokenState = await settled('test/finance/broken/1.0.0', people.finance.reader);
    expect(brokenState.resources.map(({ name, state, lastError }) => ({ name, state, lastError }))).toEqual([
      {
        name: 'unzip',
        state: 'FAILED',
        lastError: 'test/finance/jobs/broken.zip is not a readable zip package: invalid zip data',
      },
      {
        name: 'missing',
        state: 'FAILED',
        lastError:
          'test/finance/jobs/escape.mjs has no lib/missing.js, .mjs or .cjs for handler lib/missing.handler',
      },
    ]);
    revealsNothing('a failed deploy', JSON.stringify(brokenState));
    expect(await salesSide()).toEqual(before);
  });
});
