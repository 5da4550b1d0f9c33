import { type Request, type Response, Router } from 'express';
import { NotFoundError, UpstreamError } from '../../shared/errors.js';
import { jsonBody } from '../../shared/http/json-body.js';
import { requestJson } from '../../shared/http/json-client.js';

const TOKEN_ID = /^[a-f0-9]{32}$/;

/**
 * Token administration through the provisioner, so people use one URL: each
 * call goes to the state service (which keeps the token table and decides)
 * with the caller's own Authorization header. The upstream URL is built from
 * the matched route and its checked parameters, never from the request line,
 * so nothing a caller writes in the URL reaches another state service route.
 * When the state service cannot answer, the caller learns that, not where it
 * lives.
 */
export function tokenProxyRouter(stateServiceUrl: string): Router {
  const router = Router();
  const forward =
    (method: string, upstreamPath: (req: Request) => string, withBody = false) =>
    async (req: Request, res: Response) => {
      const path = upstreamPath(req);
      let response: Awaited<ReturnType<typeof requestJson>>;
      try {
        response = await requestJson(method, `${stateServiceUrl}${path}`, withBody ? req.body : undefined, {
          headers: { authorization: req.headers.authorization ?? '' },
        });
      } catch (error) {
        throw unavailable(error);
      }
      if (response.status >= 500) throw unavailable(undefined);
      res.status(response.status).json(response.body);
    };
  router.get(
    '/v1/tokens',
    forward('GET', () => '/v1/tokens'),
  );
  router.post(
    '/v1/tokens',
    jsonBody({ limit: 16 * 1024 }),
    forward('POST', () => '/v1/tokens', true),
  );
  router.post(
    '/v1/tokens/:id/rotate',
    forward('POST', (req) => `/v1/tokens/${tokenIdOf(req)}/rotate`),
  );
  router.delete(
    '/v1/tokens/:id',
    forward('DELETE', (req) => `/v1/tokens/${tokenIdOf(req)}`),
  );
  return router;
}

function tokenIdOf(req: Request): string {
  const id = String(req.params.id);
  if (!TOKEN_ID.test(id)) throw new NotFoundError(`token ${id.slice(0, 64)} is unknown`);
  return id;
}

function unavailable(cause: unknown): UpstreamError {
  return new UpstreamError('the state service is unavailable; try again shortly', {}, { cause });
}
