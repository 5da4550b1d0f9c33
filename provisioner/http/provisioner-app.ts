import type { Express } from 'express';
import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { authenticate } from '../../shared/http/authenticate.js';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import type { HttpObservability } from '../../shared/http/observability.js';
import { loadOpenApiDocument, swaggerFile } from '../../shared/http/openapi.js';
import { validateRequests } from '../../shared/http/openapi-validator.js';
import { createServiceApp, metricsRouter } from '../../shared/http/service-app.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ProvisioningUseCases } from '../provisioning-use-cases.js';
import { provisionerRouter } from './provisioner-router.js';
import { tokenProxyRouter } from './token-proxy-router.js';

export interface ProvisionerAppOptions {
  useCases: ProvisioningUseCases;
  verifier: TokenVerifier;
  observability: HttpObservability;
  stateServiceUrl: string;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createProvisionerApp({
  useCases,
  verifier,
  observability,
  stateServiceUrl,
  logger,
  bodyLimitBytes = 1024 * 1024,
}: ProvisionerAppOptions): Express {
  const openapi = loadOpenApiDocument(swaggerFile('provisioner'));
  const app = createServiceApp('provisioner', observability, openapi);
  app.use(authenticate(verifier));
  app.use(metricsRouter(observability));
  // Descriptor bodies are raw here: their routes parse them with bounds and validate them.
  app.use(validateRequests(openapi));
  app.use(tokenProxyRouter(stateServiceUrl));
  app.use(provisionerRouter(useCases, bodyLimitBytes));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
