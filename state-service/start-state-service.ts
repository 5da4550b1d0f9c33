import { jwtVerifierOf } from '../shared/auth/auth-config.js';
import { DynamoTokenStore } from '../shared/auth/dynamo-token-store.js';
import { TokenService } from '../shared/auth/token-service.js';
import { CompositeVerifier } from '../shared/auth/verifiers.js';
import { createDynamoDocumentClient } from '../shared/aws/clients.js';
import { HttpObservability } from '../shared/http/observability.js';
import { type RunningServer, serve } from '../shared/http/serve.js';
import { createLogger, type Logger } from '../shared/logging/logger.js';
import { createStateServiceApp } from './http/state-service-app.js';
import { ListingCursors } from './listing-cursors.js';
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
  const tokens = new TokenService(
    config.createTables
      ? await DynamoTokenStore.create(documentClient, config.tokenTable)
      : new DynamoTokenStore(documentClient, config.tokenTable),
    undefined,
    config.verifiedTokenTtlMs ?? 0,
  );
  const useCases = new StateUseCases(
    new DynamoStateStore(documentClient, config.tables),
    undefined,
    new ListingCursors(config.cursorKey),
  );
  const verifier = new CompositeVerifier(tokens, jwtVerifierOf(config.auth));
  const observability = new HttpObservability('state-service', logger);
  const server = await serve(
    createStateServiceApp({ useCases, tokens, verifier, observability, logger }),
    config.port,
    config.host,
    config.serverLimits,
  );
  logger.info({ url: server.url }, 'state service listening');
  return server;
}
