import type { PlanView } from '../../provisioner/domain/plan-view.js';
import type { PublicDataProductState } from '../../provisioner/domain/public-state.js';
import type { OperationAccepted } from '../../provisioner/provisioning-use-cases.js';
import { type DataProductRef, dataProductPath } from '../../shared/descriptor/types.js';
import { networkReason } from '../../shared/http/json-client.js';
import type { HistoryEntry } from '../../shared/state/records.js';
import type { DataProductSummary } from '../../shared/state/state-client.js';
import {
  ConflictError,
  type InputIssue,
  InvalidInputError,
  NotAuthorizedError,
  ServerUnavailableError,
} from '../cli-errors.js';
import type { ServerConnection } from './server-connection.js';

/** A descriptor as it goes over the wire: the file's own bytes, so the server's line numbers match the file. */
export interface DescriptorBody {
  text: string;
  format: 'yaml' | 'json';
  /** Where the text came from, for the lines of the server's validation errors. */
  file: string;
}

export interface ListQuery {
  environment?: string;
  domain?: string;
  state?: string;
  limit?: number;
  cursor?: string;
}

interface ErrorBody {
  error?: string;
  message?: string;
  errors?: InputIssue[];
}

const REQUEST_TIMEOUT_MS = 30_000;

/** The provisioner's API over fetch. Every non-2xx answer becomes a typed error; nothing else is thrown. */
export class DmpClient {
  constructor(
    private readonly connection: ServerConnection,
    private readonly fetchImpl: typeof fetch = globalThis.fetch,
  ) {}

  plan(descriptor: DescriptorBody): Promise<PlanView> {
    return this.send<PlanView>('POST', '/v1/dataproduct/plan', descriptor);
  }

  deploy(descriptor: DescriptorBody): Promise<OperationAccepted> {
    return this.send<OperationAccepted>('POST', '/v1/dataproduct', descriptor);
  }

  destroy(target: DescriptorBody | DataProductRef, removeData: boolean): Promise<OperationAccepted> {
    const query = `?removeData=${removeData}`;
    return 'text' in target
      ? this.send<OperationAccepted>('DELETE', `/v1/dataproduct${query}`, target)
      : this.send<OperationAccepted>('DELETE', `/v1/dataproduct/${dataProductPath(target)}${query}`);
  }

  cancel(ref: DataProductRef): Promise<{ state: string; operationId: string | null; cancelRequested: true }> {
    return this.send('POST', `/v1/dataproduct/${dataProductPath(ref)}/cancel`);
  }

  /** The state; with `watch`, the server holds the answer until the state moves past `changedAfter` or `waitMs` ends. */
  state(
    ref: DataProductRef,
    watch?: { changedAfter: number; waitMs: number },
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<PublicDataProductState> {
    const query = watch ? `?changedAfter=${watch.changedAfter}&waitMs=${watch.waitMs}` : '';
    return this.send<PublicDataProductState>(
      'GET',
      `/v1/dataproduct/state/${dataProductPath(ref)}${query}`,
      undefined,
      timeoutMs,
    );
  }

  history(
    ref: DataProductRef,
    after: number,
    limit: number,
  ): Promise<{ entries: HistoryEntry[]; next?: number }> {
    return this.send('GET', `/v1/dataproduct/history/${dataProductPath(ref)}?after=${after}&limit=${limit}`);
  }

  list(query: ListQuery): Promise<{ items: DataProductSummary[]; cursor?: string }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.size > 0 ? `?${params}` : '';
    return this.send('GET', `/v1/dataproduct${search}`);
  }

  private async send<T>(
    method: string,
    path: string,
    descriptor?: DescriptorBody,
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<T> {
    const where = `${method} ${this.connection.url}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.connection.url}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.connection.token ? { authorization: `Bearer ${this.connection.token}` } : {}),
          ...(descriptor
            ? { 'content-type': descriptor.format === 'json' ? 'application/json' : 'application/yaml' }
            : {}),
        },
        ...(descriptor ? { body: descriptor.text } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new ServerUnavailableError(
        `cannot reach the server (${where}): ${networkReason(error, `no answer within ${Math.ceil(timeoutMs / 1_000)}s`)}`,
      );
    }
    const body = await readBody(response);
    if (response.ok) {
      // A login page or an empty answer from something in front of the server is no answer of dmp's.
      if (
        body === null ||
        typeof body !== 'object' ||
        !response.headers.get('content-type')?.includes('json')
      ) {
        throw new ServerUnavailableError(
          `${response.status} from ${where} is not a JSON answer of the dmp API`,
        );
      }
      return body as T;
    }
    throw errorOf(response.status, body as ErrorBody, where, descriptor?.file);
  }
}

function errorOf(status: number, body: ErrorBody, where: string, file?: string): Error {
  const message = typeof body?.message === 'string' ? body.message : `HTTP ${status}`;
  if (status === 401 || status === 403) {
    const hint = status === 401 ? 'check DMP_TOKEN' : 'the token does not allow this';
    return new NotAuthorizedError(`${status} from ${where}: ${message} (${hint})`, status);
  }
  if (status === 409) return new ConflictError(message);
  if (status >= 400 && status < 500) {
    // Only issues that say where and what: anything else in the body is not the server's shape.
    const issues = (Array.isArray(body?.errors) ? body.errors : []).filter(
      (issue): issue is InputIssue =>
        issue !== null &&
        typeof issue === 'object' &&
        typeof issue.path === 'string' &&
        typeof issue.message === 'string',
    );
    return new InvalidInputError(message, issues, file);
  }
  return new ServerUnavailableError(`${status} from ${where}: ${message}`);
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 300) };
  }
}
