import express, { type Express } from 'express';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { ProvisioningUseCases } from '../provisioning-use-cases.js';
import { provisionerRouter } from './provisioner-router.js';

export interface ProvisionerAppOptions {
  useCases: ProvisioningUseCases;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createProvisionerApp({
  useCases,
  logger,
  bodyLimitBytes = 1024 * 1024,
}: ProvisionerAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'provisioner' });
  });
  app.use(provisionerRouter(useCases, bodyLimitBytes));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
