import { createDynamoDocumentClient } from '../shared/aws/clients.js';
import { type RunningServer, serve } from '../shared/http/serve.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { createStateServiceApp } from './http/state-service-app.js';
import type { StateServiceConfig } from './state-service-config.js';
import { StateUseCases } from './state-use-cases.js';
import { DynamoStateStore } from './store/dynamo-state-store.js';
import { ensureStateTables } from './store/state-tables.js';

export async function startStateService(
  config: StateServiceConfig,
  logger: Logger = createLogger('state-service'),
): Promise<RunningServer> {
  const documentClient = createDynamoDocumentClient({
    dynamoDbEndpoint: config.dynamoDbEndpoint,
    region: config.region,
  });
  if (config.createTables) await ensureStateTables(documentClient, config.tables);
  const useCases = new StateUseCases(new DynamoStateStore(documentClient, config.tables));
  const server = await serve(createStateServiceApp({ useCases, logger }), config.port, config.host);
  logger.info({ url: server.url }, 'state service listening');
  return server;
}
