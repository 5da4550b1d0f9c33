import type { Express } from 'express';
import type { TokenService, TokenVerifier } from '../../shared/auth/token-service.js';
import { authenticate } from '../../shared/http/authenticate.js';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import { jsonBody } from '../../shared/http/json-body.js';
import type { HttpObservability } from '../../shared/http/observability.js';
import { loadOpenApiDocument, swaggerFile } from '../../shared/http/openapi.js';
import { validateRequests } from '../../shared/http/openapi-validator.js';
import { createServiceApp, metricsRouter } from '../../shared/http/service-app.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { StateUseCases } from '../state-use-cases.js';
import { TokenUseCases } from '../token-use-cases.js';
import { stateRouter } from './state-router.js';
import { tokenAdminRouter, verifyRouter } from './token-router.js';

export interface StateServiceAppOptions {
  useCases: StateUseCases;
  tokens: TokenService;
  /** Verifies callers: dmp tokens, and JWTs when JWT mode is configured. */
  verifier: TokenVerifier;
  observability: HttpObservability;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createStateServiceApp({
  useCases,
  tokens,
  verifier,
  observability,
  logger,
  bodyLimitBytes = 1024 * 1024,
}: StateServiceAppOptions): Express {
  const openapi = loadOpenApiDocument(swaggerFile('state-service'));
  const app = createServiceApp('state-service', observability, openapi);
  app.use(verifyRouter(tokens));
  app.use(authenticate(verifier));
  app.use(metricsRouter(observability));
  app.use(jsonBody({ limit: bodyLimitBytes }));
  app.use(validateRequests(openapi));
  app.use(tokenAdminRouter(new TokenUseCases(tokens)));
  app.use(stateRouter(useCases));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
