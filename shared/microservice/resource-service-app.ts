import type { Express, Request, Response, Router } from 'express';
import { authorize } from '../auth/access-rules.js';
import type { TokenVerifier } from '../auth/token-service.js';
import { authenticate, principalOf } from '../http/authenticate.js';
import { errorHandler, notFoundHandler } from '../http/error-handler.js';
import { jsonBody } from '../http/json-body.js';
import type { HttpObservability } from '../http/observability.js';
import { loadOpenApiDocument, mergeOpenApi, type OpenApiExtension, swaggerFile } from '../http/openapi.js';
import { validateRequests } from '../http/openapi-validator.js';
import { createServiceApp, metricsRouter } from '../http/service-app.js';
import type { Logger } from '../logging/logger.js';
import type { ResourceMethod } from '../state/lifecycle.js';
import type { ResourceUseCases } from './resource-use-cases.js';

export interface ResourceServiceAppOptions {
  service: string;
  useCases: ResourceUseCases;
  /** Only the provisioner's service credential may call a microservice. */
  verifier: TokenVerifier;
  observability: HttpObservability;
  logger: Logger;
  bodyLimitBytes?: number;
  /** Extra routes served next to the resource contract (a data plane, say), behind the same error handling. */
  extraRouter?: Router;
  /** The OpenAPI paths (and components) of `extraRouter`, merged into `swagger/microservice.yaml`. */
  openapi?: OpenApiExtension;
}

/** The HTTP face of a microservice (thesis figure 5.3): the same use case as the Lambda handler. */
export function createResourceServiceApp({
  service,
  useCases,
  verifier,
  observability,
  logger,
  bodyLimitBytes = 1024 * 1024,
  extraRouter,
  openapi: extension = { paths: {} },
}: ResourceServiceAppOptions): Express {
  const openapi = mergeOpenApi(
    loadOpenApiDocument(swaggerFile('microservice')),
    extension,
    `dmp ${service} microservice`,
  );
  const app = createServiceApp(service, observability, openapi);
  app.use(authenticate(verifier));
  app.use(metricsRouter(observability));
  // A data plane authorizes its own callers; everything after it is for the provisioner only.
  if (extraRouter) {
    // Bodies of the extra routes are parsed by their router: here, their parameters.
    app.use(validateRequests(openapi, { paths: Object.keys(extension.paths) }));
    app.use(extraRouter);
  }
  app.use((_req, res, next) => {
    authorize(principalOf(res), 'call-microservice');
    next();
  });
  app.get('/v1/capabilities', (_req, res) => {
    res.json(useCases.capabilities());
  });
  app.use(jsonBody({ limit: bodyLimitBytes }));
  app.use(validateRequests(openapi));
  const handle = (method: ResourceMethod) => async (req: Request, res: Response) => {
    res.status(202).json(await useCases.accept(method, req.body));
  };
  app.post('/v1/dataproduct/resource/validate', (req, res) => {
    res.json(useCases.check(req.body));
  });
  app.post('/v1/dataproduct/resources/validate', (req, res) => {
    res.json(useCases.checkAll(req.body));
  });
  app.post('/v1/dataproduct/resource', handle('POST'));
  app.put('/v1/dataproduct/resource', handle('PUT'));
  app.delete('/v1/dataproduct/resource', handle('DELETE'));
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
