import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { MicroserviceClient } from '../../provisioner/operations/microservice-client.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import { freePort } from '../support/free-port.js';
import { silentLogger } from '../support/silent-logger.js';

const request: ResourceRequest = {
  operationId: 'op-1',
  dataProduct: { environment: 'test', domain: 'sales', name: 'dp', version: '1.0.0' },
  descriptor: {
    name: 'dp',
    domain: 'sales',
    version: '1.0.0',
    environment: { name: 'test', specific: {} },
    outputPorts: [],
    workloads: [],
    observability: [],
  },
  resource: {
    kind: 'outputPort',
    name: 'a',
    type: 'raw',
    technology: 's3',
    allow: [],
    dependsOn: [],
    specific: {},
  },
  removeData: false,
  attempt: 1,
};

const client = new MicroserviceClient(silentLogger, {
  retries: 3,
  minRetryDelayMs: 1,
  maxRetryDelayMs: 5,
  requestTimeoutMs: 2_000,
});
/** Far enough for every test here: the deadline matters only where a test sets its own. */
const later = () => ({ deadline: Date.now() + 20_000 });

const servers: RunningServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A microservice that answers each call with the next answer of the script. */
async function scriptedMicroservice(script: (number | 'html' | 'garbage')[], port = 0) {
  const calls: unknown[] = [];
  const app = express();
  app.use(express.json());
  app.all('/v1/dataproduct/resource', (req, res) => {
    calls.push(req.body);
    const step = script[Math.min(calls.length - 1, script.length - 1)] ?? 500;
    if (step === 'html') {
      res.status(200).type('html').send('<html><body>Welcome to nginx!</body></html>');
    } else if (step === 'garbage') {
      res.status(202).json({ hello: 'world' });
    } else if (step === 202) {
      res.status(202).json({ operationId: 'op-1', resource: 'a', state: 'CREATING' });
    } else {
      res
        .status(step)
        .json(
          step === 400
            ? { message: 'bad specific', errors: [{ path: '/resource/specific', message: 'nope' }] }
            : { message: `status ${step}` },
        );
    }
  });
  const server = await serve(app, port);
  servers.push(server);
  return { url: server.url, calls };
}

describe('MicroserviceClient.dispatch', () => {
  it('retries 502, 503, 504 and 429 until the microservice accepts', async () => {
    const microservice = await scriptedMicroservice([503, 429, 502, 504, 202]);
    const waits: string[] = [];
    const result = await client.dispatch('POST', microservice.url, request, {
      ...later(),
      onWaiting: (reason) => waits.push(reason),
    });
    expect(result).toEqual({ kind: 'accepted' });
    expect(microservice.calls).toHaveLength(5);
    expect(microservice.calls[4]).toEqual(request);
    expect(waits).toHaveLength(4);
    expect(waits[0]).toMatch(/answered 503/);
  });

  it('never retries a 400 and reports the validation errors', async () => {
    const microservice = await scriptedMicroservice([400, 202]);
    const result = await client.dispatch('POST', microservice.url, request, later());
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.error).toMatch(
      /answered 400: bad specific; \/resource\/specific: nope/,
    );
    expect(microservice.calls).toHaveLength(1);
  });

  it('gives up on a microservice that keeps failing with 500 after the configured retries', async () => {
    const microservice = await scriptedMicroservice([500]);
    const result = await client.dispatch('PUT', microservice.url, request, later());
    expect(microservice.calls).toHaveLength(4);
    expect(result).toEqual({
      kind: 'rejected',
      error: `PUT ${microservice.url}/v1/dataproduct/resource answered 500: status 500 (after 4 attempts)`,
    });
  });

  it('waits for a microservice that is down until it comes back, however many attempts that takes', async () => {
    const port = await freePort();
    const waits: string[] = [];
    let restarted: Promise<{ calls: unknown[] }> | undefined;
    const result = await client.dispatch('POST', `http://127.0.0.1:${port}`, request, {
      ...later(),
      onWaiting: (reason) => {
        waits.push(reason);
        // Far more refusals than the retries a 500 gets, then it starts: a restart is not a failure.
        if (waits.length === 8) restarted = scriptedMicroservice([202], port);
      },
    });
    expect(result).toEqual({ kind: 'accepted' });
    expect(waits.length).toBeGreaterThanOrEqual(8);
    expect(waits[0]).toMatch(/ECONNREFUSED/);
    expect((await restarted)?.calls).toHaveLength(1);
  });

  it('reports a microservice still unreachable at the deadline, having tried until then', async () => {
    const waits: string[] = [];
    const result = await client.dispatch('POST', `http://127.0.0.1:${await freePort()}`, request, {
      deadline: Date.now() + 200,
      onWaiting: (reason) => waits.push(reason),
    });
    expect(result.kind).toBe('unreachable');
    expect(result.kind === 'unreachable' && result.error).toMatch(/ECONNREFUSED.*deadline/);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('treats a microservice that never answers as unreachable: each attempt bounded, up to the deadline', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const result = await client.dispatch('POST', url, request, { deadline: Date.now() + 300 });
      expect(result.kind).toBe('unreachable');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it.each(['html', 'garbage'] as const)(
    'refuses a 2xx %s answer that is no microservice acceptance, without retrying',
    async (answer) => {
      const microservice = await scriptedMicroservice([answer, 202]);
      const result = await client.dispatch('POST', microservice.url, request, later());
      expect(result.kind).toBe('rejected');
      expect(result.kind === 'rejected' && result.error).toMatch(/not a dmp microservice's acceptance/);
      expect(microservice.calls).toHaveLength(1);
    },
  );

  it('stops waiting at once when the run is interrupted', async () => {
    const stop = new AbortController();
    const result = await client.dispatch('POST', `http://127.0.0.1:${await freePort()}`, request, {
      ...later(),
      signal: stop.signal,
      onWaiting: () => stop.abort(),
    });
    expect(result).toEqual({ kind: 'interrupted' });
  });

  it('passes a 409 on as a conflict without retrying', async () => {
    const microservice = await scriptedMicroservice([409]);
    expect((await client.dispatch('POST', microservice.url, request, later())).kind).toBe('conflict');
    expect(microservice.calls).toHaveLength(1);
  });
});
