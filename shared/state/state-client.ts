import pRetry, { AbortError } from 'p-retry';
import type { EnvReader } from '../config/env-reader.js';
import { type DataProductRef, dataProductPath } from '../descriptor/types.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import { type JsonResponse, requestJson } from '../http/json-client.js';
import type { LifecycleState } from './lifecycle.js';
import type {
  DataProductRecord,
  DataProductStateDocument,
  DataProductWrite,
  HistoryEntry,
  OperationLease,
  PublicResourceRecord,
  ResourceRecord,
  ResourceWrite,
} from './records.js';

export interface StateClientOptions {
  /**
   * Longest a call may take, its retries included (default 4.5 s, so that a caller of a hung state service has its 503 within 5 s): a hung state
   * service must give the caller an answer (UpstreamError: 503) in bounded time,
   * not attempts × a per-attempt timeout. A long-poll gets its wait on top.
   */
  timeoutMs?: number;
  /** Attempts for network errors and 5xx; writes are idempotent, so a retry is safe. */
  attempts?: number;
  /** Recorded as the actor of every transition this client writes (trusted from the provisioner only). */
  actor?: string;
  /** This service's bearer token. */
  token?: string;
  /** Called for every HTTP request, to count and trace traffic to the state service. */
  onRequest?: (method: string, path: string) => void;
}

export type DataProductSummary = Omit<DataProductRecord, 'revision' | 'seq' | 'descriptor' | 'operation'>;

export interface ListFilter {
  environment?: string;
  domain?: string;
  state?: LifecycleState;
  limit?: number;
  cursor?: string;
}

/** How long a call to the state service may take, retries included, unless configured (DMP_STATE_TIMEOUT_MS). */
export const DEFAULT_STATE_TIMEOUT_MS = 4_500;

export function readStateTimeout(reader: EnvReader): number {
  return reader.integer('DMP_STATE_TIMEOUT_MS', DEFAULT_STATE_TIMEOUT_MS, { min: 100, max: 600_000 });
}

type ErrorBody = { message?: string; currentState?: string; operationId?: string | null };
type Written<T> = T & { changed: boolean };

/** The HTTP client of the state service, used by the provisioner and by every microservice. */
/** A long-poll: answer once the data product's `historySeq` passes `changedAfter`, or after `waitMs` as it stands. */
export interface StateWatch {
  changedAfter: number;
  waitMs: number;
  /** Aborted when whoever waits goes away. */
  signal?: AbortSignal;
}

export class StateClient {
  private readonly timeoutMs: number;
  private readonly attempts: number;

  constructor(
    private readonly baseUrl: string,
    private readonly options: StateClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_STATE_TIMEOUT_MS;
    this.attempts = options.attempts ?? 4;
  }

  /**
   * The data product's state; with `changedAfter` a long-poll that answers once
   * its `historySeq` passes that, or after `waitMs` as it stands.
   */
  async getDataProduct(
    ref: DataProductRef,
    watch?: StateWatch,
  ): Promise<DataProductStateDocument | undefined> {
    const path = `/v1/state/dataproduct/${dataProductPath(ref)}`;
    const response = watch
      ? await this.send<DataProductStateDocument>(
          'GET',
          `${path}?changedAfter=${watch.changedAfter}&waitMs=${watch.waitMs}`,
          undefined,
          // The state service may hold the request for waitMs: the timeout counts from its answer.
          { timeoutMs: this.timeoutMs + watch.waitMs, signal: watch.signal },
        )
      : await this.send<DataProductStateDocument>('GET', path);
    return response.status === 404 ? undefined : response.body;
  }

  async getResource(ref: DataProductRef, name: string): Promise<PublicResourceRecord | undefined> {
    const path = `/v1/state/dataproduct/resource/${dataProductPath(ref)}/${encodeURIComponent(name)}`;
    const response = await this.send<PublicResourceRecord>('GET', path);
    return response.status === 404 ? undefined : response.body;
  }

  async writeDataProduct(
    write: DataProductWrite,
  ): Promise<Written<Omit<DataProductRecord, 'revision' | 'seq'>>> {
    return (
      await this.send<Written<DataProductRecord>>('POST', '/v1/state/dataproduct', this.withActor(write))
    ).body;
  }

  async writeResource(write: ResourceWrite): Promise<Written<Omit<ResourceRecord, 'revision' | 'seq'>>> {
    return (
      await this.send<Written<ResourceRecord>>(
        'POST',
        '/v1/state/dataproduct/resource',
        this.withActor(write),
      )
    ).body;
  }

  async cancel(
    ref: DataProductRef,
    actor?: string,
  ): Promise<{ state: LifecycleState; operationId: string | null }> {
    return (
      await this.send<{ state: LifecycleState; operationId: string | null }>(
        'POST',
        '/v1/state/dataproduct/cancel',
        this.withActor({ ...ref, ...(actor ? { actor } : {}) }),
      )
    ).body;
  }

  async lease(
    ref: DataProductRef,
    action: 'claim' | 'renew' | 'release',
    lease: { owner: string; operationId?: string; ttlMs?: number },
  ): Promise<OperationLease> {
    return (
      await this.send<OperationLease>('POST', '/v1/state/dataproduct/lease', { ...ref, action, ...lease })
    ).body;
  }

  async heartbeat(ref: DataProductRef, name: string, operationId: string, attempt: number): Promise<void> {
    await this.send('POST', '/v1/state/dataproduct/resource/heartbeat', {
      environment: ref.environment,
      domain: ref.domain,
      dataProduct: ref.name,
      version: ref.version,
      name,
      operationId,
      attempt,
    });
  }

  async history(
    ref: DataProductRef,
    after = 0,
    limit = 100,
  ): Promise<{ entries: HistoryEntry[]; next?: number }> {
    const path = `/v1/state/dataproduct/history/${dataProductPath(ref)}?after=${after}&limit=${limit}`;
    const response = await this.send<{ entries: HistoryEntry[]; next?: number }>('GET', path);
    if (response.status === 404) return { entries: [] };
    return response.body;
  }

  async list(filter: ListFilter): Promise<{ items: DataProductSummary[]; cursor?: string }> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filter)) if (value !== undefined) query.set(key, String(value));
    return (
      await this.send<{ items: DataProductSummary[]; cursor?: string }>(
        'GET',
        `/v1/state/dataproduct?${query}`,
      )
    ).body;
  }

  private withActor<T extends object>(body: T): T & { actor?: string } {
    return this.options.actor ? { actor: this.options.actor, ...body } : body;
  }

  /** 2xx and 404 on GET are answers; 409 a ConflictError, 403 a ForbiddenError; other 4xx a bug of ours; network errors and 5xx are retried. */
  private send<T>(
    method: string,
    path: string,
    body?: unknown,
    { timeoutMs = this.timeoutMs, signal }: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<JsonResponse<T>> {
    const url = `${this.baseUrl}${path}`;
    const deadline = Date.now() + timeoutMs;
    return pRetry(
      async () => {
        this.options.onRequest?.(method, path);
        const response = await requestJson<T>(method, url, body, {
          // Each attempt gets what is left of the call's time, never a fresh full timeout.
          timeoutMs: Math.max(1, deadline - Date.now()),
          ...(signal ? { signal } : {}),
          ...(this.options.token ? { headers: { authorization: `Bearer ${this.options.token}` } } : {}),
        });
        if (response.status < 300 || (response.status === 404 && method === 'GET')) return response;
        const error = response.body as ErrorBody;
        const message = error?.message ?? `status ${response.status}`;
        if (response.status === 409) {
          throw new AbortError(
            new ConflictError(message, { currentState: error.currentState, operationId: error.operationId }),
          );
        }
        if (response.status === 404) throw new AbortError(new NotFoundError(message));
        // This service's credential does not reach what it was asked to write: say so to whoever asked.
        if (response.status === 403) {
          throw new AbortError(
            new ForbiddenError(`the state service refused this service's write: ${message}`),
          );
        }
        if (response.status === 400) {
          const issues = (response.body as { errors?: ValidationIssue[] }).errors ?? [{ path: '', message }];
          throw new AbortError(new ValidationError(`the state service refused the data: ${message}`, issues));
        }
        if (response.status < 500) {
          throw new AbortError(
            new Error(`state service refused ${method} ${path}: ${response.status} ${message}`),
          );
        }
        throw new UpstreamError(`state service answered ${response.status} to ${method} ${path}: ${message}`);
      },
      {
        retries: this.attempts - 1,
        maxRetryTime: timeoutMs,
        minTimeout: 50,
        maxTimeout: 1_000,
        randomize: true,
        ...(signal ? { signal } : {}),
      },
    );
  }
}
