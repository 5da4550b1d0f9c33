import express, { type Express } from 'express';
import { errorHandler, notFoundHandler } from '../../shared/http/error-handler.js';
import type { Logger } from '../../shared/logging/logger.js';
import type { StateUseCases } from '../state-use-cases.js';
import { stateRouter } from './state-router.js';

export interface StateServiceAppOptions {
  useCases: StateUseCases;
  logger: Logger;
  bodyLimitBytes?: number;
}

export function createStateServiceApp({
  useCases,
  logger,
  bodyLimitBytes = 1024 * 1024,
}: StateServiceAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: 'state-service' });
  });
  app.use(express.json({ limit: bodyLimitBytes, strict: true }));
  app.use(stateRouter(useCases));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
