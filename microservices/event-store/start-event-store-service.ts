import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { RemoteTokenVerifier } from '../../shared/auth/verifiers.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { startResourceService } from '../../shared/microservice/start-resource-service.js';
import { createEventStoreParts } from './event-store-service.js';
import type { EventStoreServiceConfig } from './event-store-service-config.js';
import { eventsOpenApi } from './events-openapi.js';

/** The event-store microservice: the resource contract for the provisioner, and the events data plane. */
export async function startEventStoreService(
  config: EventStoreServiceConfig,
  logger: Logger = createLogger('event-store'),
  overrides: { verifier?: TokenVerifier; grants?: RoleGrants } = {},
): Promise<RunningServer> {
  let listening = `http://${config.host}:${config.port}`;
  const { provisioner, eventsRouter } = await createEventStoreParts(config, {
    ...overrides,
    publicUrl: () => listening,
  });
  const server = await startResourceService({
    service: 'event-store',
    provisioner,
    stateServiceUrl: config.stateServiceUrl,
    host: config.host,
    port: config.port,
    logger,
    heartbeatMs: config.heartbeatMs,
    serviceToken: config.auth.serviceToken,
    verifier: overrides.verifier ?? new RemoteTokenVerifier(config.stateServiceUrl, config.auth.tokenCacheMs),
    extraRouter: eventsRouter,
    openapi: eventsOpenApi,
  });
  // With port 0 the real port is known only now; info.endpoint must name it.
  listening = server.url;
  return server;
}
