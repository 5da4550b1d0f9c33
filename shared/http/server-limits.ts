import type { EnvReader } from '../config/env-reader.js';

/**
 * What one HTTP server of dmp allows a client: how long it may take to send
 * its headers and its whole request, how long an idle keep-alive connection
 * stays open, and how many connections there may be at once. Node's defaults
 * (60 s for headers, 300 s per request, no cap) let a slow or idle client hold
 * a server's sockets for minutes. Long-polls are not cut: these bound receiving
 * the request, not answering it.
 */
export interface ServerLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_024,
};

/** `DMP_HTTP_*`: the same variables for every service. */
export function readServerLimits(reader: EnvReader): ServerLimits {
  const limits: ServerLimits = {
    headersTimeoutMs: reader.integer('DMP_HTTP_HEADERS_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.headersTimeoutMs, {
      min: 100,
      max: 600_000,
    }),
    requestTimeoutMs: reader.integer('DMP_HTTP_REQUEST_TIMEOUT_MS', DEFAULT_SERVER_LIMITS.requestTimeoutMs, {
      min: 100,
      max: 3_600_000,
    }),
    keepAliveTimeoutMs: reader.integer(
      'DMP_HTTP_KEEP_ALIVE_TIMEOUT_MS',
      DEFAULT_SERVER_LIMITS.keepAliveTimeoutMs,
      { min: 100, max: 600_000 },
    ),
    maxConnections: reader.integer('DMP_HTTP_MAX_CONNECTIONS', DEFAULT_SERVER_LIMITS.maxConnections, {
      min: 1,
      max: 1_000_000,
    }),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    reader.problem(
      `DMP_HTTP_HEADERS_TIMEOUT_MS=${limits.headersTimeoutMs} must not exceed DMP_HTTP_REQUEST_TIMEOUT_MS=${limits.requestTimeoutMs}`,
    );
  }
  return limits;
}
