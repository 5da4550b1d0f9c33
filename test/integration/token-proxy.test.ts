import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenProxyRouter } from '../../provisioner/http/token-proxy-router.js';
import { errorHandler } from '../../shared/http/error-handler.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import { freePort } from '../support/free-port.js';
import { silentLogger } from '../support/silent-logger.js';

/**
 * The provisioner's token proxy against a stand-in state service that records
 * each request line it receives and answers with the status a test asks for.
 */
const ID = 'a'.repeat(32);
const received: { method: string; url: string; authorization?: string; body: unknown }[] = [];
let answerStatus = 200;
let upstream: RunningServer;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.use((req, res) => {
    received.push({
      method: req.method,
      url: req.originalUrl,
      authorization: req.headers.authorization,
      body: req.body,
    });
    res
      .status(answerStatus)
      .json(answerStatus >= 500 ? { error: 'InternalError', message: 'internal error' } : { ok: true });
  });
  upstream = await serve(app, 0);
});

afterAll(async () => {
  await upstream?.close();
});

function proxyTo(stateServiceUrl: string) {
  const app = express();
  app.use(tokenProxyRouter(stateServiceUrl));
  app.use(errorHandler(silentLogger));
  return request(app);
}

describe('the token proxy', () => {
  it('builds the upstream URL from the matched route and its checked id, never from the request line', async () => {
    received.length = 0;
    answerStatus = 200;
    const proxy = proxyTo(upstream.url);
    await proxy.get('/v1/tokens?domain=finance&next=/v1/state/dataproduct').set('Authorization', 'Bearer t');
    await proxy.post(`/v1/tokens/${ID}/rotate?then=/v1/auth/verify`).set('Authorization', 'Bearer t');
    await proxy.delete(`/v1/tokens/${ID}?cascade=true`).set('Authorization', 'Bearer t');
    await proxy
      .post('/v1/tokens?x=1')
      .set('Authorization', 'Bearer t')
      .send({ name: 'n', role: 'reader', domains: ['sales'] });

    expect(received.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'GET /v1/tokens',
      `POST /v1/tokens/${ID}/rotate`,
      `DELETE /v1/tokens/${ID}`,
      'POST /v1/tokens',
    ]);
    expect(received.every(({ authorization }) => authorization === 'Bearer t')).toBe(true);
    expect(received.at(-1)?.body).toEqual({ name: 'n', role: 'reader', domains: ['sales'] });
  });

  it('answers 404 for an id that is not a token id, sending nothing upstream', async () => {
    received.length = 0;
    const response = await proxyTo(upstream.url).post('/v1/tokens/..%2F..%2Fstate%2Fdataproduct/rotate');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: 'NotFound', message: 'token ../../state/dataproduct is unknown' });
    expect(received).toEqual([]);
  });

  it('answers 503 without the internal URL when the state service is down or fails', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await proxyTo(down).get('/v1/tokens');
    expect(unreachable.status).toBe(503);
    expect(unreachable.body).toEqual({
      error: 'UpstreamUnavailable',
      message: 'the state service is unavailable; try again shortly',
    });

    answerStatus = 500;
    const failing = await proxyTo(upstream.url).delete(`/v1/tokens/${ID}`);
    expect(failing.status).toBe(503);
    for (const body of [unreachable.text, failing.text]) {
      expect(body).not.toContain('127.0.0.1');
      expect(body).not.toContain('http');
    }
  });
});
