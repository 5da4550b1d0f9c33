import { requestJson } from '../../shared/http/json-client.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { ResourceMethod } from '../../shared/state/lifecycle.js';

export type DispatchResult =
  | { kind: 'accepted' }
  /** The microservice refused the request (4xx other than 409), failed on it, or answered what no microservice would. */
  | { kind: 'rejected'; error: string }
  /** 409: the resource is already in a transit state. */
  | { kind: 'conflict'; error: string }
  /** No usable answer before the deadline. */
  | { kind: 'unreachable'; error: string }
  /** The caller stopped waiting (shutdown, lost lease): nothing is known. */
  | { kind: 'interrupted' };

export interface MicroserviceClientOptions {
  /** Retries of a 500 (the microservice failed on the request): a bug there is not fixed by waiting long. */
  retries: number;
  minRetryDelayMs: number;
  /** Cap of the pause between attempts while a microservice is unreachable. */
  maxRetryDelayMs: number;
  requestTimeoutMs: number;
  /** The provisioner's service credential: microservices accept nothing else. */
  token?: string;
}

export const DEFAULT_MICROSERVICE_CLIENT_OPTIONS: MicroserviceClientOptions = {
  retries: 4,
  minRetryDelayMs: 100,
  maxRetryDelayMs: 5_000,
  requestTimeoutMs: 10_000,
};

export interface DispatchOptions {
  /** When to stop waiting for an unreachable microservice (ms since epoch): the resource's transit deadline. */
  deadline: number;
  /** Stops the waiting at once. */
  signal?: AbortSignal;
  /** Told of each failed attempt that will be retried, with why. */
  onWaiting?: (reason: string) => void;
}

type ErrorBody = { message?: string; errors?: { path?: string; message?: string }[] };
type Attempt = DispatchResult | { kind: 'retry'; reason: string; serverError: boolean };

/**
 * Sends a resource request to its microservice. A microservice that cannot be
 * reached (connection refused or reset, 502, 503, 504, 429, no answer in
 * time) is not a failed resource: it is being restarted or redeployed, so the
 * call is retried with capped, jittered backoff until the resource's deadline.
 * A 4xx is final; a 500 is retried a few times.
 */
export class MicroserviceClient {
  constructor(
    private readonly logger: Logger,
    private readonly options: MicroserviceClientOptions = DEFAULT_MICROSERVICE_CLIENT_OPTIONS,
    private readonly clock: () => number = Date.now,
  ) {}

  async dispatch(
    method: ResourceMethod,
    baseUrl: string,
    request: ResourceRequest,
    { deadline, signal, onWaiting }: DispatchOptions,
  ): Promise<DispatchResult> {
    const url = `${baseUrl}/v1/dataproduct/resource`;
    const log = this.logger.child({ operationId: request.operationId, resource: request.resource.name });
    let serverErrors = 0;
    let lastReason = `${method} ${url} was not tried`;
    const unreachable = (attempts: number): DispatchResult => ({
      kind: 'unreachable',
      error: `${lastReason} (still unreachable at the resource's deadline, after ${attempts} attempts)`,
    });
    for (let attempt = 1; ; attempt += 1) {
      const timeoutMs = Math.min(this.options.requestTimeoutMs, deadline - this.clock());
      if (timeoutMs <= 0) return unreachable(attempt - 1);
      const outcome = await this.attempt(method, url, request, timeoutMs, signal);
      if (signal?.aborted) return { kind: 'interrupted' };
      if (outcome.kind !== 'retry') return outcome;
      lastReason = outcome.reason;
      if (outcome.serverError && ++serverErrors > this.options.retries) {
        return { kind: 'rejected', error: `${outcome.reason} (after ${attempt} attempts)` };
      }
      const pause = Math.min(this.backoff(attempt), deadline - this.clock());
      if (pause <= 0) return unreachable(attempt);
      log.warn({ attempt, reason: outcome.reason, retryInMs: pause }, 'microservice call failed; retrying');
      onWaiting?.(outcome.reason);
      if (!(await pauseFor(pause, signal))) return { kind: 'interrupted' };
    }
  }

  private async attempt(
    method: ResourceMethod,
    url: string,
    request: ResourceRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    let response: { status: number; body: unknown };
    try {
      response = await requestJson(method, url, request, {
        timeoutMs,
        ...(signal ? { signal } : {}),
        ...(this.options.token ? { headers: { authorization: `Bearer ${this.options.token}` } } : {}),
      });
    } catch (error) {
      return {
        kind: 'retry',
        reason: error instanceof Error ? error.message : String(error),
        serverError: false,
      };
    }
    const answer = `${method} ${url} answered ${response.status}`;
    if (response.status === 202 || response.status === 200) {
      return acceptsThis(response.body, request)
        ? { kind: 'accepted' }
        : { kind: 'rejected', error: `${answer} with a body that is not a dmp microservice's acceptance` };
    }
    const message = describeBody(response.body as ErrorBody | string | undefined);
    if (response.status === 409) return { kind: 'conflict', error: message };
    if ([429, 502, 503, 504].includes(response.status)) {
      return { kind: 'retry', reason: `${answer}: ${message}`, serverError: false };
    }
    if (response.status >= 500) return { kind: 'retry', reason: `${answer}: ${message}`, serverError: true };
    return { kind: 'rejected', error: `${answer}: ${message}` };
  }

  /** Exponential from the minimum, capped, with equal jitter (half fixed, half random). */
  private backoff(attempt: number): number {
    const { minRetryDelayMs, maxRetryDelayMs } = this.options;
    const base = Math.min(maxRetryDelayMs, minRetryDelayMs * 2 ** (attempt - 1));
    return Math.ceil(base / 2 + Math.random() * (base / 2));
  }
}

/** A microservice accepts with the operation and resource it took on (shared/microservice AcceptedResource). */
function acceptsThis(body: unknown, request: ResourceRequest): boolean {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const { operationId, resource } = body as Record<string, unknown>;
  return operationId === request.operationId && resource === request.resource.name;
}

/** Resolves true after `ms`, or false at once when the signal aborts. */
function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      resolve(value);
    };
    const aborted = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

function describeBody(body: ErrorBody | string | undefined): string {
  if (typeof body === 'string') return body.slice(0, 500) || 'no message';
  const details = (body?.errors ?? []).map((issue) => `${issue.path ?? ''}: ${issue.message ?? ''}`);
  return [body?.message ?? 'no message', ...details].join('; ');
}
