import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type AuthConfig, readAuthConfig } from '../shared/auth/auth-config.js';
import { EnvReader } from '../shared/config/env-reader.js';
import { readServerLimits, type ServerLimits } from '../shared/http/server-limits.js';
import { runtimeFile } from '../shared/runtime-root.js';
import { readStateTimeout } from '../shared/state/state-client.js';

export interface ProvisionerConfig {
  host: string;
  port: number;
  stateServiceUrl: string;
  discoveryConfigPath: string;
  pollInitialDelayMs: number;
  pollMaxDelayMs: number;
  /**
   * Most resources of one operation dispatched and not yet settled at once;
   * 0 (the default) means no limit. 1 reproduces the thesis' one-at-a-time flow.
   */
  maxParallelDispatch?: number;
  /** Per resource, unless discovery sets timeoutSeconds for its technology. */
  resourceTimeoutMs: number;
  /** Retries of a microservice's 500; unreachable microservices are waited for until the resource's timeout. */
  dispatchRetries: number;
  /** Cap of the pause between calls to an unreachable microservice. */
  dispatchMaxBackoffMs?: number;
  bodyLimitBytes: number;
  /** Owner name of this provisioner's leases; unique per process unless set. */
  instanceId: string;
  leaseMs: number;
  staleHeartbeatMs: number;
  sweepIntervalMs: number;
  auth: AuthConfig;
  governancePolicyPath: string;
  /** Longest one call to the state service may take, retries included. */
  stateTimeoutMs?: number;
  /** Timeouts and connection cap of its HTTP server. */
  serverLimits?: ServerLimits;
}

/** Under the runtime root (`DMP_HOME`, or the package root), from the sources and from `dist/` alike. */
export const DEFAULT_GOVERNANCE_POLICY = runtimeFile('governance', 'default.yaml');
export const DEFAULT_DISCOVERY_CONFIG = runtimeFile('discovery-config', 'local.yaml');

export function readProvisionerConfig(env: NodeJS.ProcessEnv = process.env): ProvisionerConfig {
  const reader = new EnvReader(env);
  const config: ProvisionerConfig = {
    host: reader.string('DMP_HOST', '127.0.0.1'),
    port: reader.port('DMP_PROVISIONER_PORT', 8080),
    stateServiceUrl: reader.url('DMP_STATE_SERVICE_URL', 'http://127.0.0.1:8081'),
    discoveryConfigPath: reader.string('DMP_DISCOVERY_CONFIG', DEFAULT_DISCOVERY_CONFIG),
    pollInitialDelayMs: reader.integer('DMP_POLL_INITIAL_MS', 50, { min: 1, max: 60_000 }),
    pollMaxDelayMs: reader.integer('DMP_POLL_MAX_MS', 1_000, { min: 1, max: 300_000 }),
    maxParallelDispatch: reader.integer('DMP_MAX_PARALLEL_DISPATCH', 0, { min: 0, max: 10_000 }),
    resourceTimeoutMs: reader.integer('DMP_RESOURCE_TIMEOUT_MS', 600_000, { min: 100 }),
    dispatchRetries: reader.integer('DMP_DISPATCH_RETRIES', 4, { min: 0, max: 20 }),
    dispatchMaxBackoffMs: reader.integer('DMP_DISPATCH_MAX_BACKOFF_MS', 5_000, { min: 10, max: 300_000 }),
    bodyLimitBytes: reader.integer('DMP_BODY_LIMIT_BYTES', 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
    instanceId: reader.string('DMP_INSTANCE_ID', `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`),
    leaseMs: reader.integer('DMP_LEASE_MS', 30_000, { min: 200, max: 3_600_000 }),
    staleHeartbeatMs: reader.integer('DMP_STALE_HEARTBEAT_MS', 30_000, { min: 100, max: 3_600_000 }),
    sweepIntervalMs: 0,
    auth: readAuthConfig(reader),
    governancePolicyPath: reader.string('DMP_GOVERNANCE_POLICY', DEFAULT_GOVERNANCE_POLICY),
    serverLimits: readServerLimits(reader),
    stateTimeoutMs: readStateTimeout(reader),
  };
  config.sweepIntervalMs = reader.integer(
    'DMP_SWEEP_INTERVAL_MS',
    Math.max(100, Math.floor(config.leaseMs / 2)),
    {
      min: 50,
      max: 3_600_000,
    },
  );
  reader.assertValid();
  return config;
}
