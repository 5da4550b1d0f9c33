import { type Response, Router } from 'express';
import { dataProductPath } from '../../shared/descriptor/types.js';
import { principalOf } from '../../shared/http/authenticate.js';
import { rawBody as rawBodyOf } from '../../shared/http/body-limit.js';
import { validatedQuery } from '../../shared/http/openapi-validator.js';
import { dataProductRefFromPath } from '../../shared/http/request-validation.js';
import type { LifecycleState } from '../../shared/state/lifecycle.js';
import type { OperationAccepted, ProvisioningUseCases } from '../provisioning-use-cases.js';
import { descriptorFromBody } from './descriptor-body.js';

/** The endpoints of the thesis' figure 5.2, plus plan, cancel, history and listing. */
export function provisionerRouter(useCases: ProvisioningUseCases, bodyLimitBytes: number): Router {
  const router = Router();
  const rawBody = rawBodyOf(bodyLimitBytes);

  const accepted = (res: Response, result: OperationAccepted) => {
    res
      .status(result.changed ? 202 : 200)
      .location(`/v1/dataproduct/state/${dataProductPath(result)}`)
      .json(result);
  };

  router.get('/v1/dataproduct', async (_req, res) => {
    const query = validatedQuery<{
      environment?: string;
      domain?: string;
      state?: LifecycleState;
      limit: number;
      cursor?: string;
    }>(res);
    res.json(await useCases.list(query, principalOf(res)));
  });

  router.post('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(res, await useCases.deploy(descriptorFromBody(req), principalOf(res)));
  });

  router.post('/v1/dataproduct/plan', rawBody, async (req, res) => {
    res.json(await useCases.plan(descriptorFromBody(req), principalOf(res)));
  });

  router.delete('/v1/dataproduct', rawBody, async (req, res) => {
    accepted(
      res,
      await useCases.removeByDescriptor(descriptorFromBody(req), removeDataFlag(res), principalOf(res)),
    );
  });

  router.delete('/v1/dataproduct/:environment/:domain/:name/:version', async (req, res) => {
    accepted(
      res,
      await useCases.remove(dataProductRefFromPath(req.params), removeDataFlag(res), principalOf(res)),
    );
  });

  router.post('/v1/dataproduct/:environment/:domain/:name/:version/cancel', async (req, res) => {
    res.status(202).json(await useCases.cancel(dataProductRefFromPath(req.params), principalOf(res)));
  });

  router.get('/v1/dataproduct/state/:environment/:domain/:name/:version', async (req, res) => {
    const ref = dataProductRefFromPath(req.params);
    const { changedAfter, waitMs } = validatedQuery<{ changedAfter: number; waitMs: number }>(res);
    if (req.query.changedAfter === undefined && req.query.waitMs === undefined) {
      res.json(await useCases.getState(ref, principalOf(res)));
      return;
    }
    // A long-poll, passed on to the state service: stop waiting when the caller hangs up.
    const hangUp = new AbortController();
    res.on('close', () => hangUp.abort());
    const watch = { changedAfter, waitMs, signal: hangUp.signal };
    try {
      res.json(await useCases.getState(ref, principalOf(res), watch));
    } catch (error) {
      // The caller hung up, and the wait on the state service was dropped with it: nobody to answer.
      if (hangUp.signal.aborted) return;
      throw error;
    }
  });

  router.get('/v1/dataproduct/history/:environment/:domain/:name/:version', async (req, res) => {
    const query = validatedQuery<{ after: number; limit: number }>(res);
    res.json(
      await useCases.history(dataProductRefFromPath(req.params), query.after, query.limit, principalOf(res)),
    );
  });

  return router;
}

/** `removeData` as the OpenAPI validator checked it (a boolean, false by default). */
function removeDataFlag(res: Response): boolean {
  return validatedQuery<{ removeData: boolean }>(res).removeData;
}
