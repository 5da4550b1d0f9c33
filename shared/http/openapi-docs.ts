import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import type { OpenApiDocument } from './openapi.js';

/**
 * `GET /openapi.json` (the document) and `GET /docs` (Swagger UI), public like
 * `/healthz`: the contract is no secret. `/docs` redirects to `docs/` so the
 * page's relative asset URLs resolve, behind any path prefix; the UI assets
 * and its init script (which embeds this document) are served under it.
 * `serveFiles` keeps the init script per app: several services share one
 * process in tests and in `npm start`.
 */
export function openApiRouter(document: OpenApiDocument): Router {
  const router = Router();
  const json = JSON.stringify(document);
  const uiOptions = { customSiteTitle: document.info.title };
  const html = swaggerUi.generateHTML(document, uiOptions);
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  router.get('/docs', (req, res) => {
    if (req.path.endsWith('/')) res.type('html').send(html);
    else res.redirect(301, 'docs/');
  });
  router.use('/docs', ...swaggerUi.serveFiles(document, uiOptions));
  return router;
}
