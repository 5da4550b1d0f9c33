import pRetry, { AbortError } from 'p-retry';
import { type DataProductRef, dataProductPath } from '../descriptor/types.js';
import { ConflictError, NotFoundError, UpstreamError } from '../errors.js';
import { type JsonResponse, requestJson } from '../http/json-client.js';
import type {
  DataProductRecord,
  DataProductStateDocument,
  DataProductWrite,
  ResourceRecord,
  ResourceWrite,
} from './records.js';

export interface StateClientOptions {
  timeoutMs?: number;
  /** Attempts for network errors and 5xx; writes are idempotent, so a retry is safe. */
  attempts?: number;
  /** Called for every HTTP request, to count and trace traffic to the state service. */
  onRequest?: (method: string, path: string) => void;
}

type ErrorBody = { message?: string; currentState?: string; operationId?: string | null };

/** The HTTP client of the state service, used by the provisioner and by every microservice. */
export class StateClient {
  private readonly timeoutMs: number;
  private readonly attempts: number;

  constructor(
    private readonly baseUrl: string,
    private readonly options: StateClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 4;
  }

  async getDataProduct(ref: DataProductRef): Promise<DataProductStateDocument | undefined> {
    const response = await this.send<DataProductStateDocument>(
      'GET',
      `/v1/state/dataproduct/${dataProductPath(ref)}`,
    );
    return response.status === 404 ? undefined : response.body;
  }

  async getResource(
    ref: DataProductRef,
    name: string,
  ): Promise<Omit<ResourceRecord, 'revision'> | undefined> {
    const path = `/v1/state/dataproduct/resource/${dataProductPath(ref)}/${encodeURIComponent(name)}`;
    const response = await this.send<Omit<ResourceRecord, 'revision'>>('GET', path);
    return response.status === 404 ? undefined : response.body;
  }

  async writeDataProduct(write: DataProductWrite): Promise<Omit<DataProductRecord, 'revision'>> {
    return (await this.send<Omit<DataProductRecord, 'revision'>>('POST', '/v1/state/dataproduct', write))
      .body;
  }

  async writeResource(write: ResourceWrite): Promise<Omit<ResourceRecord, 'revision'>> {
    return (
      await this.send<Omit<ResourceRecord, 'revision'>>('POST', '/v1/state/dataproduct/resource', write)
    ).body;
  }

  /** 2xx and 404 are answers; 409 a ConflictError; other 4xx a bug of ours; network errors and 5xx are retried. */
  private send<T>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    const url = `${this.baseUrl}${path}`;
    return pRetry(
      async () => {
        this.options.onRequest?.(method, path);
        const response = await requestJson<T>(method, url, body, { timeoutMs: this.timeoutMs });
        if (response.status < 300 || (response.status === 404 && method === 'GET')) return response;
        const error = response.body as ErrorBody;
        const message = error?.message ?? `status ${response.status}`;
        if (response.status === 409) {
          throw new AbortError(
            new ConflictError(message, { currentState: error.currentState, operationId: error.operationId }),
          );
        }
        if (response.status === 404) throw new AbortError(new NotFoundError(message));
        if (response.status < 500) {
          throw new AbortError(
            new Error(`state service refused ${method} ${path}: ${response.status} ${message}`),
          );
        }
        throw new UpstreamError(`state service answered ${response.status} to ${method} ${path}: ${message}`);
      },
      { retries: this.attempts - 1, minTimeout: 50, maxTimeout: 1_000, randomize: true },
    );
  }
}
