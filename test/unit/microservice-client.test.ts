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

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A microservice that answers each call with the next status of the script. */
async function scriptedMicroservice(statuses: number[]) {
  const calls: unknown[] = [];
  const app = express();
  app.use(express.json());
  app.all('/v1/dataproduct/resource', (req, res) => {
    calls.push(req.body);
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)] ?? 500;
    res
      .status(status)
      .json(
        status === 400
          ? { message: 'bad specific', errors: [{ path: '/resource/specific', message: 'nope' }] }
          : { message: `status ${status}` },
      );
  });
  server = await serve(app, 0);
  return { url: server.url, calls };
}

describe('MicroserviceClient.dispatch', () => {
  it('retries 5xx and 429 until the microservice accepts', async () => {
    const microservice = await scriptedMicroservice([503, 429, 202]);
    expect(await client.dispatch('POST', microservice.url, request)).toEqual({ kind: 'accepted' });
    expect(microservice.calls).toHaveLength(3);
    expect(microservice.calls[2]).toEqual(request);
  });

  it('never retries a 400 and reports the validation errors', async () => {
    const microservice = await scriptedMicroservice([400, 202]);
    const result = await client.dispatch('POST', microservice.url, request);
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.error).toMatch(
      /answered 400: bad specific; \/resource\/specific: nope/,
    );
    expect(microservice.calls).toHaveLength(1);
  });

  it('gives up after the configured retries, naming the URL and the status', async () => {
    const microservice = await scriptedMicroservice([500]);
    const result = await client.dispatch('PUT', microservice.url, request);
    expect(microservice.calls).toHaveLength(4);
    expect(result).toEqual({
      kind: 'unreachable',
      error: `PUT ${microservice.url}/v1/dataproduct/resource answered 500: status 500 (after 4 attempts)`,
    });
  });

  it('reports a microservice that does not answer at all', async () => {
    const result = await client.dispatch('POST', `http://127.0.0.1:${await freePort()}`, request);
    expect(result.kind).toBe('unreachable');
    expect(result.kind === 'unreachable' && result.error).toMatch(/ECONNREFUSED/);
  });

  it('passes a 409 on as a conflict without retrying', async () => {
    const microservice = await scriptedMicroservice([409]);
    expect((await client.dispatch('POST', microservice.url, request)).kind).toBe('conflict');
    expect(microservice.calls).toHaveLength(1);
  });
});
