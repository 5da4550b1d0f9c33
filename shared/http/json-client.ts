import { UpstreamError } from '../errors.js';
import { currentRequestId } from './request-context.js';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export interface JsonRequestOptions {
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Ends the request early, besides the timeout (for instance when the caller shuts down). */
  signal?: AbortSignal;
}

/**
 * A small JSON-over-HTTP client on Node's fetch. Any answer, 4xx and 5xx
 * included, is returned to the caller, who knows what it means; only a failure
 * to get an answer at all becomes an UpstreamError.
 */
export async function requestJson<T = unknown>(
  method: string,
  url: string,
  body?: unknown,
  { timeoutMs = 10_000, headers = {}, signal }: JsonRequestOptions = {},
): Promise<JsonResponse<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...requestIdHeader(),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal
        ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
        : AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new UpstreamError(`${method} ${url} failed: ${networkReason(error)}`, {}, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown = text;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text.slice(0, 500) };
    }
  }
  return { status: response.status, body: parsed as T };
}

/** Why fetch got no answer, in a few words: a timeout, the socket's error code, or the error's own message. */
export function networkReason(error: unknown, timeout = 'no answer before the timeout'): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return timeout;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

function requestIdHeader(): Record<string, string> {
  const id = currentRequestId();
  return id ? { 'x-request-id': id } : {};
}
