import express, { type Express } from 'express';
import type { TokenVerifier } from '../../shared/auth/token-service.js';
import { authenticate } from '../../shared/http/authenticate.js';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ProvisioningUseCases } from '../provisioning-use-cases.js';
import { provisionerRouter } from './provisioner-router.js';
import { tokenProxyRouter } from './token-proxy-router.js';

export interface ProvisionerAppOptions {
  useCases: ProvisioningUseCases;
  verifier: TokenVerifier;
  stateServiceUrl: string;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createProvisionerApp({
  useCases,
  verifier,
  stateServiceUrl,
  logger,
  bodyLimitBytes = 1024 * 1024,
}: ProvisionerAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'provisioner' });
  });
  app.use(authenticate(verifier));
  app.use(tokenProxyRouter(stateServiceUrl));
  app.use(provisionerRouter(useCases, bodyLimitBytes));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
