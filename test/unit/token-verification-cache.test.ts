import { describe, expect, it } from 'vitest';
import { TokenService } from '../../shared/auth/token-service.js';
import type { TokenRecord, TokenStore } from '../../shared/auth/token-store.js';
import { UnauthorizedError } from '../../shared/errors.js';

/** Tokens in memory, counting how often verification had to read one. */
class CountingStore implements TokenStore {
  readonly records = new Map<string, TokenRecord>();
  reads = 0;
  async get(id: string) {
    this.reads += 1;
    return this.records.get(id);
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

  it('does not cache a refusal, and without a TTL reads every time', async () => {
    const { store, service } = setup(0);
    const { token } = await service.issue({ name: 'ci', role: 'deployer', domains: ['sales'] });
    await service.verify(token);
    await service.verify(token);
    expect(store.reads).toBe(2);
    await expect(service.verify(`${token}x`)).rejects.toBeInstanceOf(UnauthorizedError);
  });
});
