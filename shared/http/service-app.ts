import express, { type Express, Router } from 'express';
import { authorize } from '../auth/access-rules.js';
import { principalOf } from './authenticate.js';
import type { HttpObservability } from './observability.js';
import type { OpenApiDocument } from './openapi.js';
import { openApiRouter } from './openapi-docs.js';
import { validateRequests } from './openapi-validator.js';

/** Answered before authentication; like every other operation they refuse query parameters they do not document. */
const PUBLIC_PATHS = ['/healthz', '/openapi.json', '/docs'];

/**
 * How every dmp service's app begins, before authentication: request logs and
 * metrics, `GET /healthz`, and its API document at `/openapi.json` and `/docs`.
 */
export function createServiceApp(
  service: string,
  observability: HttpObservability,
  openapi: OpenApiDocument,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(observability.middleware());
  app.use(validateRequests(openapi, { paths: PUBLIC_PATHS }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  app.use(openApiRouter(openapi));
  return app;
}

/** `GET /metrics` for readers and above; mounted after authentication. */
export function metricsRouter(observability: HttpObservability): Router {
  const router = Router();
  router.get(
    '/metrics',
    (_req, res, next) => {
      authorize(principalOf(res), 'read');
      next();
    },
    observability.metricsHandler(),
  );
  return router;
}
