import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import { requestJson } from '../http/json-client.js';
import type { Principal } from './principal.js';
import type { IssuedTokenView, NewToken } from './token-service.js';
import type { TokenSummary } from './token-store.js';

/** Token administration as a service uses it with its own credential. */
export interface TokenAdministration {
  issue(request: NewToken): Promise<IssuedTokenView>;
  /** The tokens this credential may administer. */
  list(): Promise<TokenSummary[]>;
  /** Revoking a revoked token is fine; an unknown one is a NotFoundError. */
  revoke(id: string): Promise<void>;
  /** What a token proves now; undefined when it proves nothing (unknown, revoked, expired). */
  verify(token: string): Promise<Principal | undefined>;
}

/**
 * The state service's token administration over HTTP, with this service's
 * own token. Tokens travel in bodies and headers only: no error message of
 * this client carries one.
 */
export class TokenClient implements TokenAdministration {
  constructor(
    private readonly stateServiceUrl: string,
    private readonly serviceToken: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async issue(request: NewToken): Promise<IssuedTokenView> {
    return this.send<IssuedTokenView>('POST', '/v1/tokens', request);
  }

  async list(): Promise<TokenSummary[]> {
    return (await this.send<{ items: TokenSummary[] }>('GET', '/v1/tokens')).items;
  }

  async revoke(id: string): Promise<void> {
    await this.send('DELETE', `/v1/tokens/${encodeURIComponent(id)}`);
  }

  async verify(token: string): Promise<Principal | undefined> {
    const response = await requestJson<Principal>(
      'POST',
      `${this.stateServiceUrl}/v1/auth/verify`,
      undefined,
      {
        headers: { authorization: `Bearer ${token}` },
        timeoutMs: this.timeoutMs,
      },
    );
    if (response.status === 200) return response.body;
    if (response.status === 401) return undefined;
    throw new UpstreamError(`the state service answered ${response.status} to a token verification`);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await requestJson<T>(method, `${this.stateServiceUrl}${path}`, body, {
      headers: this.serviceToken ? { authorization: `Bearer ${this.serviceToken}` } : {},
      timeoutMs: this.timeoutMs,
    });
    if (response.status < 300) return response.body;
    const error = response.body as { message?: string; errors?: ValidationIssue[] };
    const message = `token administration (${method} ${path.split('/').slice(0, 3).join('/')}) refused: ${error?.message ?? `status ${response.status}`}`;
    switch (response.status) {
      case 400:
        throw new ValidationError(message, error?.errors ?? []);
      case 401:
        throw new UnauthorizedError(message);
      case 403:
        throw new ForbiddenError(message);
      case 404:
        throw new NotFoundError(message);
      case 409:
        throw new ConflictError(message);
      default:
        throw new UpstreamError(message);
    }
  }
}
