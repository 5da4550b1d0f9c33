import pRetry, { AbortError } from 'p-retry';
import { UpstreamError } from '../../shared/errors.js';
import { requestJson } from '../../shared/http/json-client.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ResourceRequest } from '../../shared/microservice/resource-request.js';
import type { ResourceMethod } from '../../shared/state/lifecycle.js';

export type DispatchResult =
  | { kind: 'accepted' }
  /** The microservice refused the request (4xx other than 409): retrying cannot help. */
  | { kind: 'rejected'; error: string }
  /** 409: the resource is already in a transit state. */
  | { kind: 'conflict'; error: string }
  /** No usable answer after every retry. */
  | { kind: 'unreachable'; error: string };

export interface MicroserviceClientOptions {
  /** Retries after the first attempt, on network errors, 5xx and 429. */
  retries: number;
  minRetryDelayMs: number;
  maxRetryDelayMs: number;
  requestTimeoutMs: number;
  /** The provisioner's service credential: microservices accept nothing else. */
  token?: string;
}

export const DEFAULT_MICROSERVICE_CLIENT_OPTIONS: MicroserviceClientOptions = {
  retries: 4,
  minRetryDelayMs: 100,
  maxRetryDelayMs: 2_000,
  requestTimeoutMs: 10_000,
};

type ErrorBody = { message?: string; errors?: { path?: string; message?: string }[] };

/** Sends a resource request to its microservice, retrying with jittered exponential backoff. */
export class MicroserviceClient {
  constructor(
    private readonly logger: Logger,
    private readonly options: MicroserviceClientOptions = DEFAULT_MICROSERVICE_CLIENT_OPTIONS,
  ) {}

  async dispatch(method: ResourceMethod, baseUrl: string, request: ResourceRequest): Promise<DispatchResult> {
    const url = `${baseUrl}/v1/dataproduct/resource`;
    const log = this.logger.child({ operationId: request.operationId, resource: request.resource.name });
    try {
      return await pRetry(
        async () => {
          const response = await requestJson<ErrorBody>(method, url, request, {
            timeoutMs: this.options.requestTimeoutMs,
            ...(this.options.token ? { headers: { authorization: `Bearer ${this.options.token}` } } : {}),
          });
          if (response.status === 202 || response.status === 200) return { kind: 'accepted' } as const;
          const message = describeBody(response.body);
          if (response.status === 409) return { kind: 'conflict', error: message } as const;
          if (response.status >= 500 || response.status === 429) {
            throw new UpstreamError(`${method} ${url} answered ${response.status}: ${message}`);
          }
          throw new AbortError(`${method} ${url} answered ${response.status}: ${message}`);
        },
        {
          retries: this.options.retries,
          minTimeout: this.options.minRetryDelayMs,
          maxTimeout: this.options.maxRetryDelayMs,
          randomize: true,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft > 0 && !(error instanceof AbortError)) {
              log.warn(
                { attempt: attemptNumber, retriesLeft, reason: error.message },
                'microservice call failed; retrying',
              );
            }
          },
        },
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UpstreamError) {
        return { kind: 'unreachable', error: `${message} (after ${this.options.retries + 1} attempts)` };
      }
      return { kind: 'rejected', error: message };
    }
  }
}

function describeBody(body: ErrorBody | string | undefined): string {
  if (typeof body === 'string') return body.slice(0, 500) || 'no message';
  const details = (body?.errors ?? []).map((issue) => `${issue.path ?? ''}: ${issue.message ?? ''}`);
  return [body?.message ?? 'no message', ...details].join('; ');
}
