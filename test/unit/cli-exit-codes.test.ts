import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../../cli/capture-io.js';
import {
  ConflictError,
  InvalidInputError,
  NotAuthorizedError,
  ServerUnavailableError,
  UsageError,
} from '../../cli/cli-errors.js';
import { EXIT, exitCodeForError, exitCodeForState } from '../../cli/exit-codes.js';
import { runCli } from '../../cli/run-cli.js';

const SECRET = 'dmp_abc_supersecret';

/** A server that answers every request with one status and body. */
function answering(status: number, body: unknown): typeof fetch {
  return async () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const env = { DMP_URL: 'http://dmp.invalid:8080', DMP_TOKEN: SECRET };

describe('exitCodeForState', () => {
  it.each([
    ['CREATED', EXIT.ok],
    ['DELETED', EXIT.ok],
    ['NOT_COMPLETED', EXIT.failed],
    ['FAILED', EXIT.failed],
  ])('%s exits %d', (state, code) => {
    expect(exitCodeForState(state)).toBe(code);
  });
});

describe('exitCodeForError', () => {
  it('maps each kind of failure to its code, and anything unexpected to a failure', () => {
    expect(exitCodeForError(new UsageError('x'))).toBe(2);
    expect(exitCodeForError(new InvalidInputError('x', []))).toBe(2);
    expect(exitCodeForError(new ServerUnavailableError('x'))).toBe(4);
    expect(exitCodeForError(new NotAuthorizedError('x', 401))).toBe(4);
    expect(exitCodeForError(new ConflictError('x'))).toBe(1);
    expect(exitCodeForError(new TypeError('bug'))).toBe(1);
  });
});

describe('runCli exit codes for server answers', () => {
  it.each([
    [401, { error: 'Unauthorized', message: 'a valid bearer token is required' }, EXIT.unreachable],
    [403, { error: 'Forbidden', message: 'not allowed on domain sales' }, EXIT.unreachable],
    [404, { error: 'NotFound', message: 'data product test/sales/x/1.0.0 is unknown' }, EXIT.invalidInput],
    [409, { error: 'Conflict', message: 'data product is CREATING' }, EXIT.failed],
    [503, { error: 'UpstreamUnavailable', message: 'state service down' }, EXIT.unreachable],
  ])('HTTP %d exits %d, prints the message and never the token', async (status, body, code) => {
    const io = captureIo({ env, fetch: answering(status, body) });
    expect(await runCli(['status', 'test/sales/x/1.0.0'], io)).toBe(code);
    expect(io.err()).toContain(body.message);
    expect(io.out() + io.err()).not.toContain(SECRET);
  });

  it('exits 4 when nothing answers, naming the URL but not the token', async () => {
    const refused: typeof fetch = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const io = captureIo({ env, fetch: refused });
    expect(await runCli(['list'], io)).toBe(EXIT.unreachable);
    expect(io.err()).toMatch(
      /cannot reach the server \(GET http:\/\/dmp.invalid:8080\/v1\/dataproduct\): ECONNREFUSED/,
    );
    expect(io.err()).not.toContain(SECRET);
  });

  it.each([
    [
      'an HTML page',
      new Response('<html>sign in</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    ],
    ['an empty answer', new Response('', { status: 200 })],
    ['JSON null', new Response('null', { status: 200, headers: { 'content-type': 'application/json' } })],
  ])('exits 4 when a 2xx is %s, which no dmp server answers', async (_case, response) => {
    for (const args of [
      ['status', 'test/sales/x/1.0.0'],
      ['list'],
      ['deploy', 'test/fixtures/thesis-example.yaml'],
    ]) {
      const io = captureIo({ env, fetch: async () => response.clone() });
      expect(await runCli(args, io)).toBe(EXIT.unreachable);
      expect(io.err()).toMatch(/is not a JSON answer of the dmp API/);
    }
  });

  it('exits 2 with the usable issues of a 400 whose errors list holds junk, without crashing', async () => {
    const body = {
      error: 'ValidationError',
      message: 'bad',
      errors: [null, 7, { path: '/a', message: 'is wrong' }],
    };
    const io = captureIo({ env, fetch: answering(400, body) });
    expect(await runCli(['plan', 'test/fixtures/thesis-example.yaml'], io)).toBe(EXIT.invalidInput);
    expect(io.err()).toContain('/a: is wrong');
    expect(io.err()).not.toMatch(/TypeError|at .+\.ts:\d+/);
  });

  it('refuses a token that cannot be a header (exit 2), without printing it or sending anything', async () => {
    let requests = 0;
    const io = captureIo({
      env: { ...env, DMP_TOKEN: 'dmp_abc_secret\nmore' },
      fetch: async () => {
        requests += 1;
        return new Response('{}');
      },
    });
    expect(await runCli(['list'], io)).toBe(EXIT.invalidInput);
    expect(io.out() + io.err()).not.toContain('secret');
    expect(requests).toBe(0);
  });

  it('stops paging (exit 4) when the server repeats a list cursor or does not page history forward', async () => {
    const page = { items: [], cursor: 'same' };
    const list = captureIo({ env, fetch: answering(200, page) });
    expect(await runCli(['list', '--all'], list)).toBe(EXIT.unreachable);
    const history = captureIo({ env, fetch: answering(200, { entries: [{ seq: 1 }], next: 1 }) });
    expect(await runCli(['history', 'test/sales/x/1.0.0', '--after', '1'], history)).toBe(EXIT.unreachable);
  });

  it('gives up on a server that never answers once --timeout has passed, not 30 s per read later', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const io = captureIo({ env: { DMP_URL: url, DMP_TOKEN: SECRET }, fetch });
      const started = Date.now();
      expect(await runCli(['status', 'test/sales/x/1.0.0', '--wait', '--timeout', '1s'], io)).toBe(
        EXIT.unreachable,
      );
      // --timeout 1s and the 2 s a read may outlive it; far below one 30 s request timeout.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('exits 4 without DMP_URL, before any request', async () => {
    let requests = 0;
    const io = captureIo({
      fetch: async () => {
        requests += 1;
        return new Response('{}');
      },
    });
    expect(await runCli(['list'], io)).toBe(EXIT.unreachable);
    expect(io.err()).toMatch(/set DMP_URL or pass --url/);
    expect(requests).toBe(0);
  });

  it('exits 2 with every issue of a 400, on its file line, as JSON when asked', async () => {
    const body = {
      error: 'ValidationError',
      message: 'The descriptor violates governance policy (1 rule)',
      errors: [{ path: '/outputPorts/0/owner', message: 'owner is required', line: 8, rule: 'owners' }],
    };
    const io = captureIo({ env, fetch: answering(400, body) });
    const code = await runCli(['plan', 'test/fixtures/thesis-example.yaml', '-o', 'json'], io);
    expect(code).toBe(EXIT.invalidInput);
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out())).toEqual({
      error: 'InvalidInputError',
      message: body.message,
      errors: [{ file: 'test/fixtures/thesis-example.yaml', ...body.errors[0] }],
    });
  });

  it('reports a usage error as JSON when JSON was asked, with exit 2', async () => {
    const io = captureIo({ env });
    expect(await runCli(['deploy', '--output', 'json'], io)).toBe(EXIT.invalidInput);
    expect(JSON.parse(io.out())).toMatchObject({
      error: 'UsageError',
      message: expect.stringMatching(/needs FILE/),
    });
  });

  it('refuses a bad --timeout before deploying anything', async () => {
    let requests = 0;
    const io = captureIo({
      env,
      fetch: async () => {
        requests += 1;
        return new Response('{}');
      },
    });
    const code = await runCli(
      ['deploy', 'test/fixtures/thesis-example.yaml', '--wait', '--timeout', 'soon'],
      io,
    );
    expect(code).toBe(EXIT.invalidInput);
    expect(requests).toBe(0);
  });
});
