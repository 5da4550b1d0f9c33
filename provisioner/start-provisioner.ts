import { jwtVerifierOf } from '../shared/auth/auth-config.js';
import { CompositeVerifier, RemoteTokenVerifier } from '../shared/auth/verifiers.js';
import { loadGovernancePolicy } from '../shared/governance/policy.js';
import { HttpObservability } from '../shared/http/observability.js';
import { type RunningServer, serve } from '../shared/http/serve.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { StateClient } from '../shared/state/state-client.js';
import { MicroserviceCapabilities } from './discovery/capabilities.js';
import { Discovery } from './discovery/discovery.js';
import { SpecificChecks } from './discovery/specific-checks.js';
import { createProvisionerApp } from './http/provisioner-app.js';
import { DEFAULT_MICROSERVICE_CLIENT_OPTIONS, MicroserviceClient } from './operations/microservice-client.js';
import { OperationRunner } from './operations/operation-runner.js';
import { OperationSweeper } from './operations/operation-sweeper.js';
import { ProvisionerMetrics } from './operations/provisioner-metrics.js';
import type { ProvisionerConfig } from './provisioner-config.js';
import { ProvisioningUseCases } from './provisioning-use-cases.js';

export interface ProvisionerOverrides {
  logger?: Logger;
  /** Environment for `${VAR}` in the discovery config (default: process.env). */
  discoveryEnv?: NodeJS.ProcessEnv;
}

export async function startProvisioner(
  config: ProvisionerConfig,
  { logger = createLogger('provisioner'), discoveryEnv = process.env }: ProvisionerOverrides = {},
): Promise<RunningServer> {
  const discovery = Discovery.load(config.discoveryConfigPath, config.resourceTimeoutMs, discoveryEnv);
  const serviceToken = config.auth.serviceToken;
  const state = new StateClient(config.stateServiceUrl, {
    actor: `provisioner:${config.instanceId}`,
    token: serviceToken,
    ...(config.stateTimeoutMs ? { timeoutMs: config.stateTimeoutMs } : {}),
  });
  const microservices = new MicroserviceClient(logger, {
    ...DEFAULT_MICROSERVICE_CLIENT_OPTIONS,
    retries: config.dispatchRetries,
    ...(config.dispatchMaxBackoffMs ? { maxRetryDelayMs: config.dispatchMaxBackoffMs } : {}),
    token: serviceToken,
  });
  const observability = new HttpObservability('provisioner', logger);
  const metrics = new ProvisionerMetrics(observability.registry);
  const runner = new OperationRunner(
    state,
    discovery,
    microservices,
    {
      initialDelayMs: config.pollInitialDelayMs,
      maxDelayMs: config.pollMaxDelayMs,
      maxParallelDispatch: config.maxParallelDispatch,
      instanceId: config.instanceId,
      leaseMs: config.leaseMs,
      staleAfterMs: config.staleHeartbeatMs,
    },
    logger,
    metrics,
  );
  const sweeper = new OperationSweeper(
    state,
    runner,
    { intervalMs: config.sweepIntervalMs, leaseMs: config.leaseMs, instanceId: config.instanceId },
    logger,
  );
  const capabilities = new MicroserviceCapabilities(discovery, logger, serviceToken);
  const policy = loadGovernancePolicy(config.governancePolicyPath);
  const specificChecks = new SpecificChecks(discovery, logger, serviceToken);
  const useCases = new ProvisioningUseCases({
    discovery,
    state,
    runner,
    capabilities,
    policy,
    specificChecks,
  });
  const verifier = new CompositeVerifier(
    new RemoteTokenVerifier(
      config.stateServiceUrl,
      config.auth.tokenCacheMs,
      Date.now,
      config.stateTimeoutMs,
    ),
    jwtVerifierOf(config.auth),
  );
  const app = createProvisionerApp({
    useCases,
    verifier,
    observability,
    stateServiceUrl: config.stateServiceUrl,
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
  });
  const server = await serve(app, config.port, config.host, config.serverLimits);
  sweeper.start();
  logger.info(
    { url: server.url, discovery: config.discoveryConfigPath, instanceId: config.instanceId },
    'provisioner listening',
  );
  return {
    ...server,
    close: async () => {
      await sweeper.stop();
      await server.close();
      await runner.stop();
    },
  };
}
