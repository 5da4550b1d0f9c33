import type { Router } from 'express';
import type { TokenVerifier } from '../auth/token-service.js';
import { RemoteTokenVerifier } from '../auth/verifiers.js';
import { HttpObservability } from '../http/observability.js';
import type { OpenApiExtension } from '../http/openapi.js';
import { type RunningServer, serve } from '../http/serve.js';
import type { ServerLimits } from '../http/server-limits.js';
import type { Logger } from '../logging/logger.js';
import { StateClient } from '../state/state-client.js';
import type { MicroserviceConfig } from './microservice-config.js';
import { createResourceServiceApp } from './resource-service-app.js';
import { ResourceUseCases } from './resource-use-cases.js';
import type { TechnologyProvisioner } from './technology-provisioner.js';
import { InProcessWorkRunner, type ResourceJob } from './work-runner.js';

export interface ResourceServiceOptions {
  service: string;
  provisioner: TechnologyProvisioner;
  stateServiceUrl: string;
  host: string;
  port: number;
  logger: Logger;
  /** How often work in progress refreshes its heartbeat (default 5 s). */
  heartbeatMs?: number;
  /** This microservice's own token, for its calls to the state service. */
  serviceToken?: string;
  /** Verifies callers; by default, asks the state service. */
  verifier?: TokenVerifier;
  extraRouter?: Router;
  /** The OpenAPI paths of `extraRouter`, merged into the microservice's document. */
  openapi?: OpenApiExtension;
  serverLimits?: ServerLimits;
  /** Longest one call to the state service may take, retries included. */
  stateTimeoutMs?: number;
}

/** The options a microservice's configuration gives: where it listens, the state service, its credential. */
export function optionsFromConfig(
  config: MicroserviceConfig,
): Pick<
  ResourceServiceOptions,
  | 'stateServiceUrl'
  | 'host'
  | 'port'
  | 'heartbeatMs'
  | 'serviceToken'
  | 'verifier'
  | 'serverLimits'
  | 'stateTimeoutMs'
> {
  return {
    stateServiceUrl: config.stateServiceUrl,
    host: config.host,
    port: config.port,
    heartbeatMs: config.heartbeatMs,
    serviceToken: config.auth.serviceToken,
    verifier: new RemoteTokenVerifier(
      config.stateServiceUrl,
      config.auth.tokenCacheMs,
      Date.now,
      config.stateTimeoutMs,
    ),
    ...(config.serverLimits ? { serverLimits: config.serverLimits } : {}),
    ...(config.stateTimeoutMs ? { stateTimeoutMs: config.stateTimeoutMs } : {}),
  };
}

/** Runs a microservice as an HTTP service, its asynchronous work in this process. */
export async function startResourceService(options: ResourceServiceOptions): Promise<RunningServer> {
  const {
    service,
    provisioner,
    stateServiceUrl,
    host,
    port,
    logger,
    heartbeatMs = 5_000,
    serviceToken,
  } = options;
  const verifier = options.verifier ?? new RemoteTokenVerifier(stateServiceUrl);
  let useCases: ResourceUseCases | undefined;
  const runner = new InProcessWorkRunner((job: ResourceJob) => (useCases as ResourceUseCases).work(job));
  const state = new StateClient(stateServiceUrl, {
    token: serviceToken,
    ...(options.stateTimeoutMs ? { timeoutMs: options.stateTimeoutMs } : {}),
  });
  useCases = new ResourceUseCases(provisioner, state, runner, logger, { heartbeatMs });
  const observability = new HttpObservability(service, logger);
  const app = createResourceServiceApp({
    service,
    useCases,
    verifier,
    observability,
    logger,
    extraRouter: options.extraRouter,
    openapi: options.openapi,
  });
  const server = await serve(app, port, host, options.serverLimits);
  logger.info({ url: server.url }, `${service} microservice listening`);
  return {
    ...server,
    close: async () => {
      await server.close();
      await runner.idle();
    },
  };
}
