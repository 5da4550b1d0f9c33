import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { TokenService } from '../../shared/auth/token-service.js';
import type { TokenRecord, TokenStore } from '../../shared/auth/token-store.js';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import { UnauthorizedError, UpstreamError, ValidationError } from '../../shared/errors.js';

/** Tokens in memory, counting how often verification had to read one. */
class CountingStore implements TokenStore {
  readonly records = new Map<string, TokenRecord>();
  reads = 0;
  private held: Promise<void> | undefined;
  async get(id: string) {
    this.reads += 1;
    const record = this.records.get(id);
    const held = this.held;
    this.held = undefined;
    await held;
    return record;
  }
  /** The next read answers what it read only once `release` is called: a verification held in flight. */
  holdNextRead(): () => void {
    let release: () => void = () => undefined;
    this.held = new Promise((resolve) => {
      release = resolve;
    });
    return () => release();
  }
  async create(record: TokenRecord) {
    this.records.set(record.id, record);
  }
  async update(record: TokenRecord) {
    this.records.set(record.id, record);
  }
  async list() {
    return [...this.records.values()];
  }
}

function setup(ttlMs: number) {
  const store = new CountingStore();
  let now = Date.parse('2026-11-27T00:00:00Z');
  const service = new TokenService(store, () => new Date(now), ttlMs);
  return { store, service, advance: (ms: number) => (now += ms) };
}

describe('TokenService with a verified-token TTL', () => {
  it('reads the store once per token within the TTL, and again after it', async () => {
    const { store, service, advance } = setup(1_000);
    const { token } = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });

    for (let i = 0; i < 5; i += 1) await service.verify(token);
    expect(store.reads).toBe(1);
    advance(1_001);
    await service.verify(token);
    expect(store.reads).toBe(2);
  });

  it('reads the store once for a burst of requests that arrive together with an unknown token', async () => {
    const { store, service } = setup(1_000);
    const { token } = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });

    const principals = await Promise.all(Array.from({ length: 10 }, () => service.verify(token)));

    expect(principals.map((principal) => principal.name)).toEqual(Array(10).fill('ci'));
    expect(store.reads).toBe(1);
  });

  it('neither caches a verification in flight when the token was revoked nor answers later requests with it', async () => {
    const { store, service } = setup(60_000);
    const { token, summary } = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });

    const release = store.holdNextRead();
    const inFlight = service.verify(token);
    await service.revoke(summary.id);
    // Asked after the revocation while the earlier read is still held: not answered by that read.
    const afterRevocation = service.verify(token);
    release();
    await inFlight;
    await expect(afterRevocation).rejects.toBeInstanceOf(UnauthorizedError);

    await expect(service.verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(store.reads).toBe(4);
  });

  it('refuses a token revoked or rotated through it at once, whatever the TTL', async () => {
    const { service } = setup(60_000);
    const revoked = await service.issue({ name: 'old', role: 'reader', domains: ['sales'] });
    const rotated = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });
    await service.verify(revoked.token);
    await service.verify(rotated.token);

    await service.revoke(revoked.summary.id);
    const fresh = await service.rotate(rotated.summary.id);

    await expect(service.verify(revoked.token)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(service.verify(rotated.token)).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(service.verify(fresh.token)).resolves.toMatchObject({ name: 'ci' });
  });

  it('never trusts a token past its expiry, even within the TTL', async () => {
    const { service, advance } = setup(60_000);
    const { token } = await service.issue({
      name: 'short',
      role: 'reader',
      domains: ['sales'],
      expiresAt: '2026-11-27T00:00:02Z',
    });
    await service.verify(token);
    advance(2_500);
    await expect(service.verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it.each(['2020-13-45T99:99:99Z', '2099-02-30T00:00:00Z', '2099-01-01T24:00:00Z'])(
    'refuses to issue a token expiring at %s, which is no real instant',
    async (expiresAt) => {
      const { service, store } = setup(1_000);
      await expect(
        service.issue({ name: 'x', role: 'reader', domains: ['sales'], expiresAt }),
      ).rejects.toBeInstanceOf(ValidationError);
      expect(store.records.size).toBe(0);
    },
  );

  it('never lets in a stored token whose expiry is no instant', async () => {
    const { service, store } = setup(0);
    const { token, summary } = await service.issue({ name: 'x', role: 'reader', domains: ['sales'] });
    const record = store.records.get(summary.id);
    if (!record) throw new Error('not stored');
    store.records.set(summary.id, { ...record, expiresAt: 'not a date' });
    await expect(service.verify(token)).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('does not cache a refusal, and without a TTL reads every time', async () => {
    const { store, service } = setup(0);
    const { token } = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });
    await service.verify(token);
    await service.verify(token);
    expect(store.reads).toBe(2);
    await expect(service.verify(`${token}x`)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});

describe('RemoteTokenVerifier', () => {
  /** A state service that answers /v1/auth/verify for one token, counting the questions. */
  async function stateServiceKnowing(token: string) {
    let questions = 0;
    const server = createServer((request, response) => {
      questions += 1;
      const known = request.headers.authorization === `Bearer ${token}`;
      response.writeHead(known ? 200 : 401, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          known ? { id: 't1', name: 'ci', role: 'deployer', domains: ['sales'] } : { message: 'no' },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      questions: () => questions,
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  it('asks the state service once for a burst of requests with the same token, and not for a refusal twice', async () => {
    const stateService = await stateServiceKnowing('dmp_t1_secret');
    try {
      const verifier = new RemoteTokenVerifier(stateService.url, 10_000);
      const principals = await Promise.all(Array.from({ length: 8 }, () => verifier.verify('dmp_t1_secret')));
      expect(principals.map((principal) => principal.name)).toEqual(Array(8).fill('ci'));
      expect(stateService.questions()).toBe(1);

      await expect(verifier.verify('dmp_t1_wrong')).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(verifier.verify('dmp_t1_wrong')).rejects.toBeInstanceOf(UnauthorizedError);
      expect(stateService.questions()).toBe(3);
    } finally {
      await stateService.close();
    }
  });

  it('answers 503, not 401, when the state service fails or hangs: the token may be fine', async () => {
    const failing = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"boom"}');
    });
    const hung = createServer(() => undefined);
    for (const server of [failing, hung])
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = (server: typeof failing) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expect(new RemoteTokenVerifier(url(failing), 0).verify('dmp_t1_secret')).rejects.toBeInstanceOf(
        UpstreamError,
      );
      await expect(
        new RemoteTokenVerifier(url(hung), 0, Date.now, 200).verify('dmp_t1_secret'),
      ).rejects.toBeInstanceOf(UpstreamError);
    } finally {
      hung.closeAllConnections();
      await Promise.all([failing, hung].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
