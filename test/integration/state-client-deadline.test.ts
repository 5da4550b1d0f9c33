import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../shared/errors.js';
import { StateClient } from '../../shared/state/state-client.js';

/** A state service that accepts connections and never answers (a SIGSTOPped process looks like this). */
let hung: Server;
let port = 0;
let requests = 0;
beforeAll(async () => {
  hung = createServer((socket) => {
    socket.once('data', () => {
      requests += 1;
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  port = (hung.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => hung.close(() => resolve()));
});

describe('a call to a hung state service', () => {
  it('gives up once its time is spent, retries included: one request, then UpstreamError (503)', async () => {
    requests = 0;
    const client = new StateClient(`http://127.0.0.1:${port}`, { timeoutMs: 300, attempts: 4 });
    const ref = { environment: 'test', domain: 'sales', name: 'hung', version: '1.0.0' };

    await expect(client.getDataProduct(ref)).rejects.toBeInstanceOf(UpstreamError);
    // Four attempts of a fresh full timeout each would have asked four times (and waited four times as long).
    expect(requests).toBe(1);
  });
});
