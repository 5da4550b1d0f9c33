import { Writable } from 'node:stream';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import { createLogger } from '../../shared/logging/logger.js';
import { authed } from '../support/auth.js';
import { descriptorYaml } from '../support/descriptors.js';
import { freePort } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';
import { waitFor } from '../support/wait-for.js';

const ISSUER = 'https://idp.example.test';
/** The secret part of `dmp_<32 hex>_<secret>` (which may itself contain `_`). */
const secretOf = (token: string) => token.slice('dmp_'.length + 32 + 1);
const logLines: string[] = [];
const logSink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let platform: TestPlatform;
let jwks: RunningServer;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

beforeAll(async () => {
  const keys = await generateKeyPair('RS256');
  privateKey = keys.privateKey;
  const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const app = express();
  app.get('/jwks.json', (_req, res) => {
    res.json({ keys: [publicJwk] });
  });
  jwks = await serve(app, 0);
  platform = await startTestPlatform({
    deadPort: await freePort(),
    logger: createLogger('tokens-test', 'debug', logSink),
    jwt: {
      jwksUrl: `${jwks.url}/jwks.json`,
      issuer: ISSUER,
      audience: 'dmp',
      roleClaim: 'dmp_role',
      domainsClaim: 'dmp_domains',
      maxAgeSeconds: 600,
    },
  });
});

afterAll(async () => {
  await platform?.close();
  await jwks?.close();
});

const plan = (token: string, domain = 'sales') =>
  request(platform.provisioner.url)
    .post('/v1/dataproduct/plan')
    .set('Authorization', `Bearer ${token}`)
    .set('Content-Type', 'application/yaml')
    .send(descriptorYaml('tokens', [{ name: 'a' }]).replace('domain: sales', `domain: ${domain}`));

describe('token administration', () => {
  it('creates a token shown once, stores only its hash, rotates and revokes it', async () => {
    const admin = platform.api;
    const created = await admin
      .post('/v1/tokens')
      .send({ name: 'sales-pipeline', role: 'deployer', domains: ['sales'] });
    expect(created.status).toBe(201);
    const { token, summary } = created.body as { token: string; summary: { id: string } };
    expect(token).toMatch(/^dmp_[a-f0-9]{32}_/);
    expect((await plan(token)).status).toBe(200);
    expect((await plan(token, 'finance')).status).toBe(403);

    const listed = await admin.get('/v1/tokens');
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(JSON.stringify(listed.body)).not.toContain('hash');
    const { Items = [] } = await platform.stack.dynamo.send(new ScanCommand({ TableName: 'dmp-tokens' }));
    expect(JSON.stringify(Items)).not.toContain(secretOf(token));

    const rotated = await admin.post(`/v1/tokens/${summary.id}/rotate`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.token as string;
    expect(fresh).not.toBe(token);
    expect((await plan(fresh)).status).toBe(200);
    // The provisioner trusts a verified token for the cache period (1 s here), then asks again.
    await waitFor(
      async () => (await plan(token)).status,
      (status) => status === 401,
      { timeoutMs: 5_000, intervalMs: 200 },
    );

    expect((await admin.delete(`/v1/tokens/${summary.id}`)).status).toBe(200);
    await waitFor(
      async () => (await plan(fresh)).status,
      (status) => status === 401,
      { timeoutMs: 5_000, intervalMs: 200 },
    );
  });

  it('refuses malformed token requests with every problem listed', async () => {
    const response = await platform.api
      .post('/v1/tokens')
      .send({ name: 'bad name', role: 'root', domains: [] });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '/domains',
      '/name',
      '/role',
    ]);
  });

  it('answers 401 with a challenge for a missing, malformed or unknown token', async () => {
    const anonymous = await request(platform.provisioner.url).get('/v1/dataproduct');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer realm="dmp"');
    expect((await authed(platform.provisioner.url, 'not a token').get('/v1/dataproduct')).status).toBe(401);
    expect(
      (
        await authed(platform.provisioner.url, `dmp_${'1'.repeat(32)}_${'x'.repeat(43)}`).get(
          '/v1/dataproduct',
        )
      ).status,
    ).toBe(401);
    expect((await request(platform.provisioner.url).get('/healthz')).status).toBe(200);
  });
});

describe('JWT mode', () => {
  interface JwtShape {
    issuer?: string;
    /** Expiry, relative (`5m`, `-1m`); null for a JWT without `exp`. */
    expires?: string | null;
    /** `iat` this many seconds ago; null for a JWT without `iat`. */
    issuedSecondsAgo?: number | null;
  }
  const jwt = (claims: Record<string, unknown>, options: JwtShape = {}) => {
    let builder = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience('dmp')
      .setSubject('alice@example.test');
    const age = options.issuedSecondsAgo === undefined ? 0 : options.issuedSecondsAgo;
    if (age !== null) builder = builder.setIssuedAt(Math.floor(Date.now() / 1000) - age);
    const expires = options.expires === undefined ? '5m' : options.expires;
    if (expires !== null) builder = builder.setExpirationTime(expires);
    return builder.sign(privateKey);
  };
  const asJwt = (token: string) => authed(platform.stateService.url, token);

  it('takes role and domains from the configured claims', async () => {
    const deployer = await jwt({ dmp_role: 'deployer', dmp_domains: ['sales'] });
    expect((await plan(deployer)).status).toBe(200);
    expect((await plan(deployer, 'finance')).status).toBe(403);
    const reader = await jwt({ dmp_role: 'reader', dmp_domains: 'sales finance' });
    expect((await plan(reader)).status).toBe(403);
    expect(
      (await authed(platform.provisioner.url, reader).get('/v1/dataproduct?domain=finance')).status,
    ).toBe(200);
  });

  it('refuses a JWT from another issuer, an expired one, and one without a role', async () => {
    expect(
      (await plan(await jwt({ dmp_role: 'admin', dmp_domains: ['*'] }, { issuer: 'https://evil.test' })))
        .status,
    ).toBe(401);
    expect(
      (await plan(await jwt({ dmp_role: 'admin', dmp_domains: ['*'] }, { expires: '-1m' }))).status,
    ).toBe(401);
    expect((await plan(await jwt({ dmp_domains: ['*'] }))).status).toBe(401);
  });

  it('refuses a JWT claiming a service role: service credentials are dmp tokens', async () => {
    const provisionerJwt = await jwt({ dmp_role: 'provisioner', dmp_domains: ['*'] });
    const lease = await asJwt(provisionerJwt).post('/v1/state/dataproduct/lease').send({
      environment: 'test',
      domain: 'sales',
      name: 'leased',
      version: '1.0.0',
      action: 'release',
      owner: 'x',
    });
    expect(lease.status).toBe(401);
    expect(lease.body.message).toMatch(
      /one of reader, deployer, admin \(service credentials are dmp tokens\)/,
    );
    const microserviceJwt = await jwt({ dmp_role: 'microservice', dmp_domains: ['*'] });
    expect((await asJwt(microserviceJwt).get('/v1/state/dataproduct?domain=finance')).status).toBe(401);
    expect((await plan(microserviceJwt)).status).toBe(401);
  });

  it('refuses a JWT without exp, without iat, or older than the maximum age, whatever its exp', async () => {
    const admin = { dmp_role: 'admin', dmp_domains: ['*'] };
    const noExpiry = await plan(await jwt(admin, { expires: null }));
    expect(noExpiry.status).toBe(401);
    expect(noExpiry.body.message).toMatch(/it must carry exp/);
    expect((await plan(await jwt(admin, { issuedSecondsAgo: null }))).status).toBe(401);
    // The platform's maximum age is 600 s: a token 11 minutes old is refused though it expires in a day.
    const stale = await plan(await jwt(admin, { issuedSecondsAgo: 660, expires: '1d' }));
    expect(stale.status).toBe(401);
    expect(stale.body.message).toMatch(/older than the maximum age/);
    expect((await plan(await jwt(admin, { issuedSecondsAgo: 300, expires: '1d' }))).status).toBe(200);
  });

  it('lets a JWT admin of one domain administer that domain only, and changes nothing it may not', async () => {
    const salesAdmin = authed(
      platform.provisioner.url,
      await jwt({ dmp_role: 'admin', dmp_domains: ['sales'] }),
    );
    const finance = await platform.api
      .post('/v1/tokens')
      .send({ name: 'ledger-ci', role: 'deployer', domains: ['finance'] });
    expect(finance.status).toBe(201);
    const table = async () => (await platform.api.get('/v1/tokens')).body.items;
    const before = await table();

    for (const escalation of [
      { name: 'root', role: 'admin', domains: ['*'] },
      { name: 'ledger-admin', role: 'admin', domains: ['finance'] },
      { name: 'fake-provisioner', role: 'provisioner', domains: ['sales'] },
      { name: 'fake-s3', role: 'microservice', domains: ['*'], technologies: ['s3'] },
    ]) {
      const response = await salesAdmin.post('/v1/tokens').send(escalation);
      expect(response.status, escalation.name).toBe(403);
    }
    expect((await salesAdmin.post(`/v1/tokens/${finance.body.summary.id}/rotate`)).status).toBe(403);
    expect((await salesAdmin.delete(`/v1/tokens/${finance.body.summary.id}`)).status).toBe(403);
    expect(await table()).toEqual(before);
    expect((await plan(finance.body.token, 'finance')).status).toBe(200);

    const listed = await salesAdmin.get('/v1/tokens');
    expect(listed.status).toBe(200);
    expect(listed.body.items.length).toBeGreaterThan(0);
    for (const token of listed.body.items) {
      expect(token.domains).toEqual(['sales']);
      expect(['reader', 'deployer', 'admin']).toContain(token.role);
    }
    const issued = await salesAdmin
      .post('/v1/tokens')
      .send({ name: 'orders-ci', role: 'deployer', domains: ['sales'] });
    expect(issued.status).toBe(201);
    expect(issued.body.summary.issuedBy).toBe('alice@example.test');
  });
});

describe('logs', () => {
  it('never contain a token', async () => {
    const everyToken = Object.values(platform.tokens);
    await plan(platform.tokens.admin);
    await authed(platform.provisioner.url, platform.tokens.admin)
      .post('/v1/dataproduct')
      .set('Content-Type', 'application/yaml')
      .send(descriptorYaml('logged', [{ name: 'a' }]));
    await waitFor(
      async () => (await platform.api.get('/v1/dataproduct/state/test/sales/logged/1.0.0')).body.state,
      (state) => state === 'CREATED',
    );
    expect(logLines.some((line) => line.includes('operation finished'))).toBe(true);
    const secrets = everyToken.map(secretOf);
    const leaked = logLines.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaked).toEqual([]);
  });
});
