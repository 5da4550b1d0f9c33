import { connect, type Socket } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvReader } from '../../shared/config/env-reader.js';
import { errorHandler } from '../../shared/http/error-handler.js';
import { jsonBody } from '../../shared/http/json-body.js';
import { type RunningServer, serve } from '../../shared/http/serve.js';
import { readServerLimits } from '../../shared/http/server-limits.js';
import { silentLogger } from '../support/silent-logger.js';

const LIMITS = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 3 };
const BODY_LIMIT = 1024;

let server: RunningServer;
beforeAll(async () => {
  const app = express();
  app.post('/echo', jsonBody({ limit: BODY_LIMIT }), (req, res) => {
    res.json(req.body);
  });
  app.use(errorHandler(silentLogger));
  server = await serve(app, 0, '127.0.0.1', LIMITS);
});
afterAll(async () => {
  await server?.close();
});

/** A raw connection: what it wrote, everything it got back, and when the server closed it. */
function rawConnection() {
  const socket: Socket = connect(server.port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
  });
  socket.on('error', () => undefined);
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(received)));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected };
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);

describe('server limits', () => {
  it('answers 413 to a body announced over the limit before a byte of it is sent, and closes the connection', async () => {
    const { socket, closed } = rawConnection();
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n',
    );
    // The body never comes: only the announced length can have been refused (body-parser would wait for it).
    const response = await closed;
    expect(statusOf(response)).toBe(413);
    expect(response.toLowerCase()).toContain('connection: close');
    expect(response).toContain('PayloadTooLarge');
  });

  it('cuts a request whose body never finishes with 408 once the request timeout passes', async () => {
    const { socket, closed } = rawConnection();
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expect(statusOf(await closed)).toBe(408);
  });

  it('cuts a client that never finishes its headers', async () => {
    const { socket, closed } = rawConnection();
    socket.write('POST /echo HTTP/1.1\r\nHost: x\r\n');
    expect(statusOf(await closed)).toBe(408);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const { socket, closed } = rawConnection();
    socket.write(
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
    );
    const response = await closed;
    expect(statusOf(response)).toBe(200);
    // Node announces the idle timeout in whole seconds: 300 ms is 0, its own default would be 5.
    expect(response.toLowerCase()).toContain('keep-alive: timeout=0');
  });

  it('refuses connections beyond the cap while the others stay open', async () => {
    const held = [rawConnection(), rawConnection(), rawConnection()];
    await Promise.all(held.map((connection) => connection.connected));
    // Each held connection is known to the server once it has answered a request on it.
    for (const { socket } of held) {
      socket.write(
        'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
      );
    }
    const extra = rawConnection();
    extra.socket.write('GET /echo HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.closed).toBe('');
    for (const { socket } of held) socket.destroy();
  });

  it('reads its limits from DMP_HTTP_* and refuses headers allowed longer than the whole request', () => {
    const reader = new EnvReader({
      DMP_HTTP_HEADERS_TIMEOUT_MS: '5000',
      DMP_HTTP_REQUEST_TIMEOUT_MS: '1000',
    });
    readServerLimits(reader);
    expect(() => reader.assertValid()).toThrow(/DMP_HTTP_HEADERS_TIMEOUT_MS=5000 must not exceed/);
    expect(readServerLimits(new EnvReader({ DMP_HTTP_MAX_CONNECTIONS: '7' })).maxConnections).toBe(7);
  });
});
