import { type Request, type Response, Router } from 'express';
import { jsonBody } from '../../shared/http/json-body.js';
import { requestJson } from '../../shared/http/json-client.js';

/**
 * Token administration through the provisioner, so people use one URL: each
 * call goes to the state service (which keeps the token table and decides)
 * with the caller's own Authorization header.
 */
export function tokenProxyRouter(stateServiceUrl: string): Router {
  const router = Router();
  const forward = async (req: Request, res: Response) => {
    const response = await requestJson(req.method, `${stateServiceUrl}${req.originalUrl}`, req.body, {
      headers: { authorization: req.headers.authorization ?? '' },
    });
    res.status(response.status).json(response.body);
  };
  router.get('/v1/tokens', forward);
  router.post('/v1/tokens', jsonBody({ limit: 16 * 1024 }), forward);
  router.post('/v1/tokens/:id/rotate', forward);
  router.delete('/v1/tokens/:id', forward);
  return router;
}
