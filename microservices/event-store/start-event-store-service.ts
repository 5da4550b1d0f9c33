import type { TokenVerifier } from '../../shared/auth/token-service.js';
import type { RunningServer } from '../../shared/http/serve.js';
import type { RoleGrants } from '../../shared/iam/role-grants.js';
import { createLogger, type Logger } from '../../shared/logging/logger.js';
import { optionsFromConfig, startResourceService } from '../../shared/microservice/start-resource-service.js';
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
    logger,
    ...optionsFromConfig(config),
    ...(overrides.verifier ? { verifier: overrides.verifier } : {}),
    extraRouter: eventsRouter,
    openapi: eventsOpenApi,
  });
  // With port 0 the real port is known only now; info.endpoint must name it.
  listening = server.url;
  return server;
}
